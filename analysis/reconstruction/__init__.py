"""The reconstructed (synthetic, calibrated) archives of the bundled cases."""
