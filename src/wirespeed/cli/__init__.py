"""The ``wirespeed`` command (thin: it calls the library, holds no traffic logic)."""
