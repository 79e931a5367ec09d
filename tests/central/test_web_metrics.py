"""/metrics of the web view over a real PostgreSQL: a wrong token gets 401, and what a right one
gets parses with the Prometheus parsers and says what the evidence says."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from centraldb import BULELENG, DENPASAR, Central, central_database  # noqa: F401 (fixture)
from conftest import POSTGRES_URL
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from webfleet import (
    BADUNG,
    BULELENG_BREACHES,
    BULELENG_DRILL_LEVEL,
    DENPASAR_PLUGGED_DAYS,
    DISKS,
    LOMBOK_BARAT,
    MATARAM,
    NOW,
    ORDER,
    Fleet,
    day_at,
    seed_fleet,
    serving,
)

from storage.central import admin
from storage.central.webaccess import METRICS, add_token, revoke_token

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set SOPBOT_TEST_POSTGRES_URL (.ci/run starts one)"
)


@pytest.fixture(name="fleet")
def fleet_fixture(central: Central) -> Fleet:
    return seed_fleet(central)


@pytest.fixture(name="base")
def base_fixture(fleet: Fleet) -> Iterator[str]:
    with serving(fleet.web_url) as base:
        yield base


def samples(body: str, openmetrics: bool) -> dict[tuple[str, str], float]:
    """(sample name, office id or "") -> value."""
    parse = openmetrics_families if openmetrics else text_string_to_metric_families
    found = {}
    for family in parse(body):
        for sample in family.samples:
            found[(sample.name, sample.labels.get("office_id", ""))] = sample.value
    return found


def test_a_wrong_or_missing_token_gets_401(fleet: Fleet, base: str) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 43})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert "sopbot_office" not in wrong.text
        # A web login's token is not a metrics token, nor is a revoked one.
        web = client.get("/metrics", headers={"Authorization": f"Bearer {fleet.web_token}"})
        assert web.status_code == 401
        engine = admin.central_engine(fleet.central.admin_url)
        old = add_token(engine, METRICS, "lama")
        assert revoke_token(engine, METRICS, "lama")
        revoked = client.get("/metrics", headers={"Authorization": f"Bearer {old}"})
        assert revoked.status_code == 401
        with engine.connect() as connection:
            refused = connection.scalar(
                text("SELECT count(*) FROM page_views WHERE path = '/metrics' AND status = 401")
            )
        engine.dispose()
        assert refused == 4  # every refused look is recorded too


@pytest.mark.parametrize("openmetrics", [True, False], ids=["openmetrics", "prometheus-text"])
def test_metrics_parse_and_match_the_evidence(fleet: Fleet, base: str, openmetrics: bool) -> None:
    accept = "application/openmetrics-text; version=1.0.0" if openmetrics else "text/plain"
    with httpx.Client(base_url=base, timeout=10) as client:
        answer = client.get(
            "/metrics",
            headers={"Authorization": f"Bearer {fleet.metrics_token}", "Accept": accept},
        )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(
        "application/openmetrics-text" if openmetrics else "text/plain"
    )
    if openmetrics:
        assert answer.text.rstrip().endswith("# EOF")
    got = samples(answer.text, openmetrics)
    assert {o for (_, o) in got if o} == set(ORDER)
    safe = {o: got[("sopbot_office_safe", o)] for o in ORDER}
    assert safe == {MATARAM: 0, DENPASAR: 0, BADUNG: 0, LOMBOK_BARAT: 0, BULELENG: 1}
    state = {o: got[("sopbot_office_state", o)] for o in ORDER}
    assert state == {MATARAM: 3, DENPASAR: 3, BADUNG: 2, LOMBOK_BARAT: 1, BULELENG: 0}
    assert got[("sopbot_office_last_good_dump_timestamp_seconds", BULELENG)] == (
        day_at(0).timestamp()
    )
    # Denpasar's newest copy is from 6 days ago (dated by its data), not encrypted.
    assert got[("sopbot_office_last_verified_copy_timestamp_seconds", DENPASAR)] == (
        day_at(6).timestamp()
    )
    assert got[("sopbot_office_last_copy_encrypted", DENPASAR)] == 0
    assert got[("sopbot_office_last_copy_encrypted", BULELENG)] == 1
    assert got[("sopbot_office_last_passed_drill_timestamp_seconds", LOMBOK_BARAT)] == (
        day_at(20, 14).timestamp()
    )
    assert got[("sopbot_office_last_passed_drill_level", BULELENG)] == BULELENG_DRILL_LEVEL
    assert got[("sopbot_office_sop_breaches_this_month", BULELENG)] == BULELENG_BREACHES
    assert got[("sopbot_office_sop_days_reported_this_month", BULELENG)] == 24
    assert got[("sopbot_office_queued_records", DENPASAR)] == 3
    assert got[("sopbot_office_last_heartbeat_timestamp_seconds", BADUNG)] == (
        NOW.timestamp() - 3 * 3600
    )
    # Never happened: no sample at all, rather than a 0 that reads as 1970.
    assert ("sopbot_office_last_good_dump_timestamp_seconds", MATARAM) not in got
    assert ("sopbot_office_last_heartbeat_timestamp_seconds", MATARAM) not in got
    assert got[("sopbot_central_offices", "")] == 5
    assert got[("sopbot_central_queued_records", "")] == 3
    # The newest evidence: the check that found Buleleng's copy damaged, at 09:00.
    assert got[("sopbot_central_last_evidence_timestamp_seconds", "")] == day_at(0, 9).timestamp()


def test_a_region_token_sees_its_region_only(fleet: Fleet, base: str) -> None:
    engine = admin.central_engine(fleet.central.admin_url)
    ntb = add_token(engine, METRICS, "ntb", "52")
    engine.dispose()
    with httpx.Client(base_url=base, timeout=10) as client:
        answer = client.get("/metrics", headers={"Authorization": f"Bearer {ntb}"})
    got = samples(answer.text, openmetrics=False)
    assert {o for (_, o) in got if o} == {LOMBOK_BARAT, MATARAM}
    assert got[("sopbot_central_offices", "")] == 2


def test_labels_name_the_kabupaten_kota_and_province_and_the_disk_plugged_in(
    fleet: Fleet, base: str
) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        answer = client.get(
            "/metrics",
            headers={
                "Authorization": f"Bearer {fleet.metrics_token}",
                "Accept": "application/openmetrics-text; version=1.0.0",
            },
        )
    labels = {}
    for family in openmetrics_families(answer.text):
        for sample in family.samples:
            if sample.name == "sopbot_office_safe":
                labels[sample.labels["office_id"]] = sample.labels
            if sample.name == "sopbot_office_info":
                assert sample.value == 1
                labels.setdefault("info", {})[sample.labels["office_id"]] = sample.labels["office"]
    assert labels[LOMBOK_BARAT] == {
        "office_id": LOMBOK_BARAT,
        "kabupaten_code": LOMBOK_BARAT,
        "kabupaten": "Disdukcapil Kabupaten Lombok Barat",
        "province_code": "52",
        "province": "Nusa Tenggara Barat",
    }
    assert labels["info"][BULELENG] == "Disdukcapil Kabupaten Buleleng"
    got = samples(answer.text, openmetrics=True)
    days = "sopbot_office_disk_plugged_in_days"
    assert got[(days, DENPASAR)] == pytest.approx(DENPASAR_PLUGGED_DAYS)
    assert got[(days, BULELENG)] == 0  # watched, none plugged in
    assert (days, BADUNG) not in got and (days, MATARAM) not in got  # not said
    since = "sopbot_office_disk_plugged_in_since_timestamp_seconds"
    assert got[(since, DENPASAR)] == DISKS[DENPASAR][0].timestamp()  # type: ignore[union-attr]
    assert (since, BULELENG) not in got
