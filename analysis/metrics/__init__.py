"""Stage 3, metrics: filters, timelines, KPIs, alerts, engagement and terms from a scored table."""
