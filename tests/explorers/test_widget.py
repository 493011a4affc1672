"""The explorers' shared base: a readable note where no widget can be drawn."""

from __future__ import annotations

import re

import torch

from book.explorers import conv_arithmetic_explorer, shift_explorer


def test_plain_text_form_names_the_explorer_and_holds_no_address() -> None:
    image = torch.zeros(16, 16)
    kernel = torch.ones(3, 3)
    for widget, name in (
        (conv_arithmetic_explorer(), "Convolution arithmetic explorer"),
        (shift_explorer(image, kernel), "Shift explorer"),
    ):
        text = repr(widget)
        assert text.startswith(name) and "JupyterLab" in text
        assert not re.search(r"0x[0-9a-f]{6,}", text)
