"""Tickets shaped for the platform, and generation IDs taken from share links."""

from __future__ import annotations

import pytest
from pack_samples import make_index_clip, sample_report

from ava_detect.catalog import PLATFORMS, platform_for
from ava_detect.report.share_link import parse_generation_ref
from ava_detect.report.ticket import ticket_text


@pytest.mark.parametrize(
    ("value", "gen_id", "part"),
    [
        ("gen_8812-XQ", "gen_8812-XQ", None),  # a plain ID is kept as given
        ("https://example.com/share/3f2c9a1e-77b0-4c1d-9e2a-0b6d5c4e3f21",
         "3f2c9a1e-77b0-4c1d-9e2a-0b6d5c4e3f21", "last path segment"),
        ("https://example.com/video/a8Kq93xZ/", "a8Kq93xZ", "last path segment"),
        ("https://example.com/g/7c1f00d2e4?utm_source=copy&id=task_55102", "task_55102",
         "query parameter 'id'"),
        ("https://example.com/watch?v=1&generation_id=ab12cd34", "ab12cd34",
         "query parameter 'generation_id'"),
        ("www.example.com/creations/98321777/share", "98321777", "path segment 2"),
        ("https://example.com/assets/clip_0042xyz.mp4", "clip_0042xyz", "last path segment"),
        ("https://example.com/#/result?taskId=77aa88bb", "77aa88bb",
         "fragment parameter 'taskid'"),
    ],
)
def test_share_links_yield_the_id_and_say_which_part(value, gen_id, part):
    ref = parse_generation_ref(value)
    assert ref.generation_id == gen_id
    if part is None:
        assert ref.url is None and ref.to_user() == {"generation_id": gen_id}
    else:
        assert ref.url == value and ref.taken_from.startswith(part)
        assert ref.to_user()["generation_url"] == value


def test_link_without_an_id_is_kept_whole_not_guessed():
    ref = parse_generation_ref("https://example.com/share/video")
    assert ref.generation_id == "https://example.com/share/video"
    assert "no ID-like part" in ref.taken_from
    assert parse_generation_ref("  ") is None and parse_generation_ref(None) is None


@pytest.mark.parametrize("name", ["Sora", "runway", "Veo 3", "KLING", "Pika Labs", "luma",
                                  "Hailuo", "MiniMax"])
def test_named_platforms_are_known(name):
    assert platform_for(name) is not None


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_index_clip(tmp_path_factory.mktemp("clip") / "shot.mp4", seconds=4.0)


def _ticket(clip, platform, gen="gen_1"):
    user = {"platform": platform, "prompt": "a chef", **parse_generation_ref(gen).to_user()}
    return ticket_text(sample_report(clip, user=user))


@pytest.mark.parametrize("platform", [None, "other", "Some New Generator 9", ""])
def test_unknown_platforms_get_the_generic_ticket(clip, platform):
    text = _ticket(clip, platform)
    generic = _ticket(clip, None)
    assert "To: " not in text and "Send via" not in text
    if platform:
        text = text.replace(f"Platform: {platform}", "Platform: (not given)")
    assert text == generic


def test_pika_ticket_names_the_channel_the_failure_references_give(clip):
    text = _ticket(clip, "Pika")
    assert "To: Pika support" in text
    assert f"Send via: {PLATFORMS['pika'].channel}" in text
    # the term, the ID, the prompt and the first failure lead the ticket
    head = text.split("What is wrong:")[0]
    for needed in ("Hand-Anatomy Topology Failure", "Generation ID: gen_1", 'Prompt: "a chef"',
                   "First failure: 1.240 s (0:01.240)"):
        assert needed in head


def test_platforms_without_a_known_channel_name_none(clip):
    for key in ("sora", "veo", "kling", "luma", "hailuo", "runway"):
        text = _ticket(clip, key)
        assert f"To: {PLATFORMS[key].name} support" in text
        assert "Send via" not in text


def test_runway_ticket_says_why_credits_were_not_returned(clip):
    text = _ticket(clip, "RunwayML")
    assert PLATFORMS["runway"].notes[0] in text


def test_ticket_names_the_share_link_and_the_part_taken(clip):
    link = "https://example.com/share/a8Kq93xZ?ref=copy"
    text = _ticket(clip, "Kling", gen=link)
    assert "in generation a8Kq93xZ" in text.splitlines()[0]
    assert f"Generation ID: a8Kq93xZ (from the share link {link}, last path segment" in text
