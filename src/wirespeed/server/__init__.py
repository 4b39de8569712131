"""The wirespeed daemon and its front ends (TRex JSON-RPC, Xena XOA and text CLI)."""
