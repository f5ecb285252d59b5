"""The portal: dashboard and widget slots, "Mes Applis", services."""
