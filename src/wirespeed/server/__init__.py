"""The wirespeed daemon and its protocol front ends (TRex JSON-RPC, Xena XOA/CLI)."""
