"""Flask blueprints, one per concern; handlers stay thin."""
