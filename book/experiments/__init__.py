"""Experiments: models trained under controlled conditions, results over seeds.

- `results`: `SeededAccuracy`, the one result vocabulary of every study.
- `shift`: train on digits at one place, test them moved (`shift_experiment`).
- `sample_efficiency`: accuracy against the number of training images.
- `models`: the model builders the studies compare (`digit_models`).
"""
