"""The pure core: workspace model, versions, pins, plans. No CLI, no printing."""
