"""Conversation insight: Rasa's event broker feeds an analytics store; measures per day,
region, item and department; catalogue gaps; the dashboard (`python -m analytics`).

Rasa publishes every tracker event through its own event broker (analytics/broker.py
masks and slims each event first): the SQL broker writes them into the store's `events`
table (SQLite by default); with ANALYTICS_BROKER=pika they go to RabbitMQ and
`python -m analytics.consumer` writes them into the store (PostgreSQL). The projection
(analytics/projection.py) turns events into one row per question (`turns`), which the
measures aggregate.
"""
