"""The speed benchmark: its helpers, and a tiny smoke run (no timed assertions)."""

from __future__ import annotations

import json

from summarizer.bench import (
    BenchArticle,
    article_html,
    floor_once,
    joined_long_articles,
    length_group,
    load_articles,
    main,
    percentile,
)
from summarizer.brief import Source, make_brief


def test_length_groups_follow_the_issue_bounds():
    assert length_group(399) == "short"
    assert length_group(400) == "medium"
    assert length_group(1000) == "medium"
    assert length_group(1001) == "long"


def test_percentile_interpolates_like_numpy():
    assert percentile([], 50) is None
    assert percentile([3.0], 95) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert abs(percentile([float(i) for i in range(1, 21)], 95) - 19.05) < 1e-9


def test_limit_spreads_articles_over_the_length_range(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": str(n), "article": "word " * n}) + "\n" for n in range(10, 110, 10)))
    chosen = load_articles(path, limit=3)
    assert [a.words for a in chosen] == [10, 60, 100]
    assert len(load_articles(path)) == 10


def test_russian_set_is_read_from_its_text_field(tmp_path):
    path = tmp_path / "ru.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "слово " * 500}, ensure_ascii=False) + "\n", encoding="utf-8")
    (article,) = load_articles(path)
    assert article.group == "medium" and article.text.startswith("слово")


def test_russian_floor_is_the_russian_parse(settings):
    text = ("Пресс-секретарь президента Дмитрий Песков заявил журналистам, что переговоры продолжатся. "
            "По его словам, стороны готовы к диалогу. ") * 5
    floor = floor_once(text, settings)
    assert set(floor) == {"parse", "total"} and floor["total"] > 0


def test_joined_articles_are_long_and_marked():
    mediums = [BenchArticle(id=str(n), text="word " * 600) for n in range(5)]
    joined = joined_long_articles(mediums, 2)
    assert len(joined) == 2
    assert all(a.joined and a.group == "long" for a in joined)


def test_html_page_keeps_the_article_text(settings):
    text = " ".join(f"Speaker number {n} said the talks on item {n} would resume next week. Critics of plan {n} "
                    f"were not convinced.Officials in district {n} declined to comment." for n in range(12))
    article = BenchArticle(id="x", text=text)
    page = article_html(article)
    assert page.count("<p>") >= 4
    brief = make_brief(Source(html=page), settings)
    assert brief.error is None
    assert "Critics of plan 3 were not convinced." in brief.text


def test_smoke_run_writes_every_section(eval_dir, tmp_path, capsys):
    out = tmp_path / "bench.json"
    status = main([
        "--input", str(eval_dir / "summaries" / "validation.jsonl"),
        "--limit", "2", "--joined", "1", "--repeats", "1", "--cold-runs", "1", "--json-out", str(out),
    ])
    assert status == 0
    results = json.loads(out.read_text())
    assert results["cold_start"]["failures"] == []
    assert results["cold_start"]["median_first_output_s"] > 0
    assert results["errors"] == []
    assert len(results["articles"]) == 3
    for row in results["articles"]:
        assert {"parse", "summarize", "total"} <= set(row["text_ms"])
        assert {"extract", "total"} <= set(row["html_ms"])
        assert row["floor_ms"]["total"] > 0
    assert results["ratio_text"]["ratio"] > 0
    assert results["batch"]["failed"] == 0 and results["batch"]["articles_per_s"] > 0
    assert results["peak_rss_mb"] >= results["peak_rss_mb_models_loaded"] > 0
    printed = capsys.readouterr().out
    assert "pipeline / floor" in printed and "cold start" in printed
