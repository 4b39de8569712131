"""``python -m wirespeed.cli``."""

from wirespeed.cli.main import main

main()
