"""OpenMetrics (and the Prometheus text format) for the offices a metrics token may see, with
the conventional client library: one collector built per scrape from the fleet's rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from storage.central.fleet import STANDING_ORDER, FleetRow, QueueHealth
from web.regions import places

# The office, its regency or city (kabupaten/kota) and its province, by code and name: alert
# rules and dashboards group by the codes, people read the names. The office's own name is on
# sopbot_office_info only (join on office_id): usually it is the kabupaten's, and every sample
# carrying it twice would make a scrape of 514 offices half as large again.
LABELS = ("office_id", "kabupaten_code", "kabupaten", "province_code", "province")
# The state as a number for Grafana's state timeline: higher is worse.
STANDING_VALUE = {s: len(STANDING_ORDER) - 1 - n for n, s in enumerate(STANDING_ORDER)}


def _ts(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


class FleetCollector(Collector):
    def __init__(self, rows: Sequence[FleetRow], health: QueueHealth) -> None:
        self.rows = rows
        self.health = health

    def collect(self) -> Iterable[Metric]:
        def family(name: str, doc: str, unit: str = "") -> GaugeMetricFamily:
            return GaugeMetricFamily(name, doc, labels=LABELS, unit=unit)

        dump = family(
            "sopbot_office_last_good_dump_timestamp", "Time of the last good dump", "seconds"
        )
        copy = family(
            "sopbot_office_last_verified_copy_timestamp",
            "Time of the data in the last verified copy still intact",
            "seconds",
        )
        encrypted = family(
            "sopbot_office_last_copy_encrypted", "1 when the last verified copy is encrypted"
        )
        drill = family(
            "sopbot_office_last_passed_drill_timestamp",
            "Time of the last passed restore drill",
            "seconds",
        )
        level = family(
            "sopbot_office_last_passed_drill_level",
            "Level of the last passed drill: 1 header, 2 metadata, 3 full import",
        )
        heartbeat = family(
            "sopbot_office_last_heartbeat_timestamp",
            "Time the office's bot was last heard",
            "seconds",
        )
        breaches = family(
            "sopbot_office_sop_breaches_this_month",
            "SOP days this month not complete (a step missing)",
        )
        reported = family(
            "sopbot_office_sop_days_reported_this_month", "SOP days this month the office reported"
        )
        safe = family("sopbot_office_safe", "1 when the office is safe, 0 when anything is wrong")
        standing = family(
            "sopbot_office_state",
            "0 safe, 1 needs attention (no recent drill), 2 silent, 3 unsafe",
        )
        queued = family(
            "sopbot_office_queued_records", "Records waiting at the office, by its last heartbeat"
        )
        plugged_days = family(
            "sopbot_office_disk_plugged_in_days",
            "Days the external disk plugged in at the last heartbeat had been plugged in by then "
            "(0: none was plugged in; no sample: the bot watches no disk or does not say)",
        )
        plugged_since = family(
            "sopbot_office_disk_plugged_in_since_timestamp",
            "Since when the disk plugged in at the last heartbeat has been plugged in",
            "seconds",
        )
        info = InfoMetricFamily("sopbot_office", "The office's name", labels=("office_id",))
        where = places((r.state.office_id, r.state.name) for r in self.rows)
        for row in self.rows:
            s = row.state
            place = where[s.office_id]
            info.add_metric([s.office_id], {"office": s.name})
            labels = [
                s.office_id,
                place.kabupaten_code,
                place.kabupaten,
                place.province_code,
                place.province,
            ]
            plugged = row.disk_plugged
            for metric, value in (
                (dump, _ts(s.last_dump)),
                (copy, _ts(s.last_copy)),
                (encrypted, None if s.copy_encrypted is None else float(s.copy_encrypted)),
                (drill, _ts(s.last_drill)),
                (level, row.drill_level),
                (heartbeat, _ts(s.seen_at)),
                (breaches, row.breaches),
                (reported, row.days_reported),
                (safe, 1.0 if s.safe else 0.0),
                (standing, STANDING_VALUE[row.standing]),
                (queued, s.queued),
                (plugged_days, None if plugged is None else plugged.total_seconds() / 86400),
                (plugged_since, _ts(row.disk_plugged_since) if plugged else None),
            ):
                if value is not None:  # never happened: no sample, not a misleading 0
                    metric.add_metric(labels, float(value))
        yield from (dump, copy, encrypted, drill, level, heartbeat, breaches, reported, safe)
        yield from (standing, queued, plugged_days, plugged_since, info)
        yield GaugeMetricFamily(
            "sopbot_central_offices", "Offices this token sees", value=self.health.offices
        )
        yield GaugeMetricFamily(
            "sopbot_central_queued_records",
            "Records waiting at all offices, by their last heartbeats",
            value=self.health.queued,
        )
        newest = GaugeMetricFamily(
            "sopbot_central_last_evidence_timestamp",
            "Time of the newest evidence stored (within the last two days)",
            unit="seconds",
        )
        if self.health.last_evidence is not None:
            newest.add_metric([], self.health.last_evidence.timestamp())
        yield newest


def exposition(rows: Sequence[FleetRow], health: QueueHealth, accept: str) -> tuple[bytes, str]:
    """The body and its content type: OpenMetrics when the scraper asks for it (Prometheus
    does), otherwise the Prometheus text format."""
    from prometheus_client.exposition import choose_encoder

    registry = CollectorRegistry(auto_describe=False)
    registry.register(FleetCollector(rows, health))
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type
