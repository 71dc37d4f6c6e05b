"""What CI systems and outside tools read: JUnit XML of folder runs, the report's JSON Schema."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from batch_clips import write_clip
from click.testing import CliRunner

from ava_detect.batch.junit import junit_xml
from ava_detect.cli import main
from ava_detect.report.json import contract_errors
from ava_detect.report.schema import report_schema

PLUGIN = ["--set", "plugins=batch_testkit", "--checks", "hands,lipsync", "--workers", "1", "-q"]


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory):
    """clean, bright from 0.5 s (a hands failure in the test kit), a damaged clip."""
    root = tmp_path_factory.mktemp("junit")
    renders = root / "renders"
    write_clip(renders / "clean.mp4", seconds=0.6, seed=10)
    write_clip(renders / "shots" / "bright.mp4", seconds=1.0, bright_from_s=0.5, seed=11)
    data = (renders / "clean.mp4").read_bytes()
    (renders / "broken.mp4").write_bytes(data[: len(data) // 3])
    junit = root / "junit.xml"
    result = CliRunner().invoke(main, [str(renders), "--out", str(root / "out"), "--junit",
                                       str(junit), *PLUGIN])
    return root, result, junit


def test_junit_has_one_case_per_clip_with_failure_and_error(folder_run):
    root, result, junit = folder_run
    assert result.exit_code == 2, result.output  # a clip could not be analysed
    suite = ET.parse(junit).getroot()
    assert suite.tag == "testsuite" and suite.get("name") == "ava-detect"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"clean.mp4", "shots/bright.mp4", "broken.mp4"}
    failure = cases["shots/bright.mp4"].find("failure")
    assert failure is not None and failure.get("type") == "critical"
    assert failure.get("message") == (
        "Hand-Anatomy Topology Failure first visible at 0.500 s (0:00.500)")
    assert cases["broken.mp4"].find("error") is not None
    assert cases["clean.mp4"].find("failure") is None and cases["clean.mp4"].find("error") is None


def test_junit_keeps_a_file_that_is_not_its_own(folder_run, tmp_path):
    root, _, _ = folder_run
    mine = tmp_path / "results.xml"
    mine.write_text("<testsuite name='my-own-tests'/>")
    result = CliRunner().invoke(main, [str(root / "renders"), "--out", str(root / "out"),
                                       "--junit", str(mine), *PLUGIN])
    assert result.exit_code == 2 and "left untouched" in result.output
    assert mine.read_text() == "<testsuite name='my-own-tests'/>"


def test_an_inconclusive_clip_is_skipped_with_its_reason(tmp_path):
    report = {"checks": {"lipsync": {"status": "inconclusive", "reason": "too little speech"},
                         "hands": {"status": "pass", "reason": None}}}
    (tmp_path / "quiet.json").write_text(json.dumps(report))
    row = {"path": "quiet.mp4", "verdict": "inconclusive", "report": "quiet.json",
           "duration_s": 2.0, "worst_severity": None}
    suite = ET.fromstring(junit_xml([row], tmp_path, "minor").split("\n", 1)[1])
    skipped = suite.find("testcase/skipped")
    assert suite.get("skipped") == "1" and skipped.get("message") == "lipsync: too little speech"


def test_junit_is_for_folders(tmp_path):
    result = CliRunner().invoke(main, [str(tmp_path / "x.mp4"), "--junit", "j.xml"])
    assert result.exit_code == 2 and "--junit applies to folder runs" in result.output


def test_schema_command_prints_the_published_schema():
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema == report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_reports_the_tests_write_follow_the_schema(folder_run):
    root, _, _ = folder_run
    reports = [p for p in (root / "out").rglob("*.json") if not p.name.startswith("summary")]
    assert len(reports) == 2
    validator = jsonschema.Draft202012Validator(report_schema())
    for path in reports:
        data = json.loads(path.read_text())
        assert list(validator.iter_errors(data)) == []
        assert contract_errors(data) == []  # which also runs the schema


def test_the_schema_rejects_what_breaks_the_contract(folder_run):
    root, _, _ = folder_run
    data = json.loads((root / "out" / "shots" / "bright.json").read_text())
    data["findings"][0]["technical_term"] = "Hand glitch"
    del data["checks"]["lipsync"]["lag_ms"]
    errors = contract_errors(data)
    assert any("schema: findings.0" in e for e in errors)
    assert any("schema: checks.lipsync" in e and "lag_ms" in e for e in errors)
