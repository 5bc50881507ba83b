"""Coverage and gap analysis for municipalities."""
