"""JupyterLab settings of `make lab` (this folder is its JUPYTER_CONFIG_DIR)."""

import importlib.util
from pathlib import Path

c = get_config()  # noqa: F821  (provided by Jupyter when it loads this file)

# The callout styles of custom/custom.css.
c.LabApp.custom_css = True

# Save notebooks in the form git stores them (scripts/notebook_filter.py), so
# opening and saving one leaves `git status` clean.
_path = Path(__file__).resolve().parents[1] / "scripts" / "notebook_filter.py"
_spec = importlib.util.spec_from_file_location("notebook_filter", _path)
_filter = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_filter)
c.ContentsManager.pre_save_hook = _filter.pre_save_hook
