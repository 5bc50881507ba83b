"""Blueprints: public, route (wegwijzer), manage (beheer) and api."""
