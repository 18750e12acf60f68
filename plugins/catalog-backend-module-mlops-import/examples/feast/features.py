"""Example features of a subscriber-churn use case, imported into the catalog by the Feast provider.

Tags the provider reads: `owner` (an entity reference, on the project, a data source, a feature
view or a feature), `lifecycle`, `system` (on the project) and `type` (on a feature). Other tags
become catalog tags.
"""

from datetime import timedelta
from pathlib import Path

from feast import Entity, FeatureView, Field, FileSource, Project
from feast.types import Float32, Int64, String

DATA = Path(__file__).parent / "data"

project = Project(
    name="synth_demo",
    description="Example Feast project of the Synth portal",
    tags={"system": "customer-intelligence", "owner": "customer-ml"},
)

subscriber = Entity(
    name="subscriber",
    join_keys=["subscriber_id"],
    description="A paying subscriber",
)

activity = FileSource(
    name="subscriber_activity",
    path=str(DATA / "subscriber_activity.parquet"),
    timestamp_field="event_timestamp",
    description="Daily activity per subscriber, aggregated from the product event stream",
    tags={"lifecycle": "production"},
)

engagement = FeatureView(
    name="subscriber_engagement",
    entities=[subscriber],
    ttl=timedelta(days=7),
    source=activity,
    schema=[
        Field(name="logins_7d", dtype=Int64, description="Logins in the last 7 days"),
        Field(name="sessions_minutes_7d", dtype=Float32, description="Minutes in sessions in the last 7 days"),
        Field(name="plan", dtype=String, description="The subscription plan", tags={"pii": "false"}),
    ],
    description="How actively a subscriber uses the product",
    tags={"team": "crm"},
)

support = FeatureView(
    name="subscriber_support",
    entities=[subscriber],
    ttl=timedelta(days=30),
    source=activity,
    schema=[
        Field(name="tickets_30d", dtype=Int64, description="Support tickets opened in the last 30 days"),
    ],
    description="Support load per subscriber",
    tags={"lifecycle": "experimental"},
)
