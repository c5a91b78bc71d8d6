"""Prometheus metrics in a registry of our own (no process-wide globals)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self, replica: str = "local") -> None:
        self.registry = CollectorRegistry()
        # Each replica serves its own; the label tells them apart where they are scraped together.
        self.replica = Gauge("monitor_replica_info", "This replica", ["replica"], registry=self.registry)
        self.replica.labels(replica).set(1)
        self.leases = Gauge("monitor_leases_held", "Source leases this replica holds", registry=self.registry)
        self.statements = Gauge("monitor_database_statements", "Statements sent to the state database",
                                 registry=self.registry)
        self.skipped = Counter("monitor_polls_elsewhere", "Polls left to the replica holding the source's lease",
                               registry=self.registry)
        self.polls = Counter("monitor_polls", "Source polls by outcome", ["source", "outcome"],
                             registry=self.registry)
        self.fetch_errors = Counter("monitor_fetch_errors", "Failed polls by reason", ["reason"],
                                    registry=self.registry)
        self.articles = Counter("monitor_articles", "Articles analysed by story and verdict", ["story", "verdict"],
                                registry=self.registry)
        self.alerts = Counter("monitor_alerts", "Alerts queued by story and kind", ["story", "kind"],
                              registry=self.registry)
        self.feedback = Counter("monitor_feedback", "Feedback given in Slack by story and action",
                                ["story", "action"], registry=self.registry)
        self.outbox = Gauge("monitor_outbox_size", "Messages waiting for delivery", registry=self.registry)
        self.cycle_seconds = Histogram("monitor_cycle_seconds", "Duration of a poll cycle",
                                       buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
                                       registry=self.registry)
        self.last_success = Gauge("monitor_source_last_success_timestamp_seconds",
                                  "Unix time of each source's last successful poll", ["source"],
                                  registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
