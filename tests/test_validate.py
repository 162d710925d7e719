"""Splitting staged rows into valid rows and quarantine rows, one per failed check."""

import json
from decimal import Decimal

import pandas as pd
import pytest

from pipeline import validate
from pipeline.rules.crimes import MAX_READ_CHARS
from pipeline.schemas import candidates, declared_assets
from pipeline.schemas.common import NAME_MAX, VALID_TEXT
from pipeline.validate import QUARANTINE_COLUMNS, QUARANTINE_VALUE_CHARS, split_valid

SHA = "a" * 64


@pytest.fixture(autouse=True, params=["whole", "halves"])
def _validated_as(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test twice: frames validated whole, and in two halves of their columns at once (as frames of
    SPLIT_MIN_ROWS rows are). Valid rows, values, dtypes and quarantine rows must be the same."""
    if request.param == "halves":
        monkeypatch.setattr(validate, "SPLIT_MIN_ROWS", 1)


def row(**overrides) -> dict:
    base = {
        "process_code": "EG2026",
        "office": "SENADO",
        "district": None,
        "id_hoja_vida": 1,
        "dni": "99000001",
        "nombres": "ANA",
        "apellido_paterno": "EJEMPLO",
        "apellido_materno": "PRUEBA",
        "full_name": "ANA EJEMPLO PRUEBA",
        "party_id": 99001,
        "party_name": "PARTIDO DEMOSTRATIVO NACIONAL",
        "list_position": 1,
        "status": "INSCRITO",
        "source_url": "http://jne/list",
        "archive_sha256": SHA,
    }
    return {**base, **overrides}


def test_valid_rows_pass_coerced() -> None:
    out = split_valid(pd.DataFrame([row(id_hoja_vida="7")]), candidates.schema, "stg_candidates")
    assert out.quarantine.empty
    assert out.valid["id_hoja_vida"].tolist() == [7]


def test_each_failure_names_table_check_value_and_provenance() -> None:
    frame = pd.DataFrame([row(), row(id_hoja_vida=2, dni="12ab5678", source_url="http://jne/p2")])
    out = split_valid(frame, candidates.schema, "stg_candidates")
    assert out.valid["dni"].tolist() == ["99000001"]
    assert list(out.quarantine.columns) == QUARANTINE_COLUMNS
    q = out.quarantine.iloc[0]
    assert (q.table_name, q.column_name, q.failure_value, q.source_url, q.archive_sha256) == (
        "stg_candidates",
        "dni",
        "12ab5678",
        "http://jne/p2",
        SHA,
    )
    assert '"dni": "12ab5678"' in q.record


def test_uncoercible_value_is_quarantined_and_the_rest_still_validates() -> None:
    # "abc" cannot become an integer: pandera reports it on the row, then its range check cannot run on the
    # column; a second pass without the row settles the rest.
    frame = pd.DataFrame(
        [row(id_hoja_vida="abc"), row(id_hoja_vida=3, list_position=-1), row(id_hoja_vida=4)]
    )
    out = split_valid(frame, candidates.schema, "stg_candidates")
    assert out.valid["id_hoja_vida"].tolist() == [4]
    assert set(out.quarantine["column_name"]) == {"id_hoja_vida", "list_position"}


def test_duplicate_keeps_the_first_and_quarantines_the_rest() -> None:
    out = split_valid(pd.DataFrame([row(), row(), row()]), candidates.schema, "stg_candidates")
    assert len(out.valid) == 1
    assert out.quarantine["record"].nunique() == 1 and len(out.quarantine) >= 2


def test_missing_column_fails_the_whole_batch_with_a_clear_error() -> None:
    frame = pd.DataFrame([row()]).drop(columns=["status"])
    with pytest.raises(ValueError, match="stg_candidates: validation failed for the whole batch"):
        split_valid(frame, candidates.schema, "stg_candidates")


def test_fraction_in_an_integer_column_is_quarantined_and_the_rest_loads() -> None:
    # pandas would refuse the whole column for one 1.5, and pandera could not say which row it was.
    frame = pd.DataFrame(
        [row(party_id=1.5), row(id_hoja_vida=2, list_position="2.5"), row(id_hoja_vida=3, party_id=4.0)]
    )
    out = split_valid(frame, candidates.schema, "stg_candidates")
    assert out.valid["id_hoja_vida"].tolist() == [3]
    assert out.valid["party_id"].tolist() == [4]
    quarantined = out.quarantine[["check_name", "column_name", "failure_value"]].values.tolist()
    assert quarantined == [["integer", "party_id", "1.5"], ["integer", "list_position", "2.5"]]


def test_over_long_text_is_quarantined_and_kept_short_in_quarantine() -> None:
    name = "ANA " * 250_000  # a megabyte
    frame = pd.DataFrame([row(nombres=name), row(id_hoja_vida=2, nombres="A" * NAME_MAX)])
    out = split_valid(frame, candidates.schema, "stg_candidates")
    assert out.valid["id_hoja_vida"].tolist() == [2]
    (q,) = out.quarantine.itertuples()
    assert (q.check_name, q.column_name) == (f"longer than {NAME_MAX} characters", "nombres")
    assert q.failure_value == name[:QUARANTINE_VALUE_CHARS] + f"... ({len(name)} characters)"
    assert len(q.record) < 3 * QUARANTINE_VALUE_CHARS  # the archived bytes keep the rest


def test_text_with_an_unreadable_character_is_quarantined() -> None:
    frame = pd.DataFrame(
        [row(full_name="ANA EJEMPLO PRUEBA"), row(id_hoja_vida=2, full_name="ANA EJ\ufffdMPLO")]
    )
    out = split_valid(frame, candidates.schema, "stg_candidates")
    assert out.valid["id_hoja_vida"].tolist() == [1]
    (q,) = out.quarantine.itertuples()
    assert (q.check_name, q.column_name, q.failure_value) == (
        VALID_TEXT.error,
        "full_name",
        "ANA EJ\ufffdMPLO",
    )


def test_every_text_limit_is_within_what_the_readers_read() -> None:
    # The crime classifier and the sentence reader read MAX_READ_CHARS characters of a text: any text they cut
    # must be over its column's limit, hence quarantined, never loaded with a reading of part of it.
    from assets.finance import FINANCE_SCHEMAS
    from assets.staged import SCHEMAS

    schemas = [*SCHEMAS.values(), *(schema_for("EG2021") for schema_for in FINANCE_SCHEMAS.values())]
    limits = [
        check.statistics["max_value"]
        for schema in schemas
        for column in schema.columns.values()
        for check in column.checks
        if check.name == "max_length"
    ]
    assert len(limits) > len(schemas)
    assert max(limits) <= MAX_READ_CHARS


def test_text_typed_by_arrow_validates_as_pandera_coerces_it() -> None:
    """Text columns of Python strings are typed by Arrow before pandera runs: the valid rows, their values
    and dtypes, are what pandera's own coercion makes of the same rows."""
    rows = pd.DataFrame(
        [
            row(),
            row(id_hoja_vida=2, district="LIMA", apellido_materno=None),
            row(id_hoja_vida=3, nombres="Ñuñú"),
        ],
        dtype=object,
    )
    got = split_valid(rows.copy(), candidates.schema, "stg_candidates")
    assert got.quarantine.empty
    pd.testing.assert_frame_equal(got.valid, candidates.schema.validate(rows.copy()), check_exact=True)


@pytest.mark.parametrize("value", [b"LIMA", 15, ["LIMA"]], ids=["bytes", "number", "list"])
def test_text_column_holding_other_values_is_left_to_pandera(value: object) -> None:
    """Arrow would read bytes as text; what is not a str is judged by pandera, as it always was."""
    rows = pd.DataFrame([row(), row(id_hoja_vida=2, district=value)], dtype=object)
    got = split_valid(rows.copy(), candidates.schema, "stg_candidates")
    assert got.quarantine.empty
    pd.testing.assert_frame_equal(got.valid, candidates.schema.validate(rows.copy()), check_exact=True)


ASSETS = declared_assets.schema_for("EG2026")


def asset(item_id: int, value: object, **overrides) -> dict:
    base = {
        "process_code": "EG2026",
        "id_hoja_vida": 1,
        "item_id": item_id,
        "asset_kind": "real_estate",
        "asset_type": "TERRENO",
        "registry_entry": "P99000001",
        "plate": None,
        "description": None,
        "value": value,
        "comment": None,
        "source_url": "http://jne/hv/1",
        "archive_sha256": SHA,
    }
    return {**base, **overrides}


def test_amounts_typed_before_pandera_are_what_its_coercion_makes() -> None:
    """Amounts (ints and Decimals, one object per distinct amount as readers give them) are typed once per
    distinct object before pandera runs: the valid rows, values and dtypes are what its coercion makes."""
    half = Decimal("1234.5")
    values = [half, Decimal("1234.50"), 0, None, Decimal("0.05"), half, Decimal("999999999999999.99")]
    rows = pd.DataFrame([asset(n + 1, v) for n, v in enumerate(values)], dtype=object)
    rows.loc[3, "value"] = None  # money() is not nullable: that row is quarantined
    got = split_valid(rows.copy(), ASSETS, "stg_declared_assets")
    expected = ASSETS.validate(rows.drop(index=3).reset_index(drop=True).copy())
    pd.testing.assert_frame_equal(got.valid, expected, check_exact=True)
    assert got.valid["value"].tolist()[:2] == [Decimal("1234.50"), Decimal("1234.50")]
    assert got.quarantine["column_name"].tolist() == ["value"]


def test_a_quarantined_row_shows_its_amounts_as_sent() -> None:
    """A row refused for another column keeps its amount as the source sent it (1234.5, not the typed
    1234.50) in the quarantine record."""
    rows = pd.DataFrame(
        [asset(1, Decimal("1234.5")), asset(2, Decimal("1234.5"), asset_kind="boat")], dtype=object
    )
    got = split_valid(rows, ASSETS, "stg_declared_assets")
    assert got.valid["item_id"].tolist() == [1]
    (record,) = got.quarantine["record"].map(json.loads)
    assert (record["asset_kind"], record["value"]) == ("boat", "1234.5")


@pytest.mark.parametrize(
    "values",
    [
        [Decimal("100"), Decimal("10.555")],
        [Decimal("100"), "1.234,50"],
        [Decimal("100"), 10**20],
        [Decimal("100"), Decimal("-5")],
        [Decimal("100"), 12.5],
        [Decimal("1"), True],
        [Decimal("1"), 1.0, 1],
        [Decimal("1.5"), Decimal("1.50"), Decimal("1.5")],
    ],
    ids=["3 decimals", "text", "too big", "negative", "float", "bool", "equal numbers", "equal decimals"],
)
def test_amounts_are_judged_as_pandera_alone_judges_them(values: list, monkeypatch) -> None:
    """Whatever an amount column holds, and however its values compare, the valid rows and the quarantine
    rows are those of pandera's own coercion (the typing turned off); a refused amount is shown as sent."""
    rows = pd.DataFrame([asset(n + 1, value) for n, value in enumerate(values)], dtype=object)
    got = split_valid(rows.copy(), ASSETS, "stg_declared_assets")
    monkeypatch.setattr(validate, "_as_decimals", lambda df, schema: df)
    alone = split_valid(rows.copy(), ASSETS, "stg_declared_assets")
    pd.testing.assert_frame_equal(got.valid, alone.valid, check_exact=True)
    pd.testing.assert_frame_equal(
        got.quarantine.drop(columns="quarantined_at"), alone.quarantine.drop(columns="quarantined_at")
    )
    refused = {json.loads(record)["value"] for record in got.quarantine["record"]}
    assert refused <= {str(value) for value in values}
