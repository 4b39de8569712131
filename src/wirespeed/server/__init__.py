"""The wirespeed daemon and its front ends (TRex JSON-RPC, Xena XOA, Xena text CLI)."""
