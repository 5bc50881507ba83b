"""manage package."""
