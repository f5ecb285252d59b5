"""The portal: dashboard and widget slots (the full portal, "Mes Applis" and flash messages come later)."""
