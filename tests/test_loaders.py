from pathlib import Path

import pytest

from index.loaders import load_corpus, load_file, parse_header

pytestmark = pytest.mark.fast


def test_header_fields_become_metadata_and_body_excludes_header(tmp_path: Path):
    path = tmp_path / "report.txt"
    path.write_text(
        "Title: A report\nAuthor: Kim Min-ji\nPublisher: Desk\nDate: 2025-06-01\n"
        "Original URL: https://example.org/a\nLicense: CC BY-SA 3.0\n----------\nFirst sentence here.\n"
    )
    doc = load_file(path)
    assert doc.metadata["title"] == "A report"
    assert doc.metadata["author"] == "Kim Min-ji"
    assert doc.metadata["publisher"] == "Desk"
    assert doc.metadata["date"] == "2025-06-01"
    assert doc.metadata["url"] == "https://example.org/a"
    assert doc.metadata["license"] == "CC BY-SA 3.0"
    assert doc.text == "First sentence here.\n"
    assert doc.doc_id == "report.txt"


def test_file_without_header_takes_title_from_name(tmp_path: Path):
    path = tmp_path / "seoul_summit_notes.txt"
    path.write_text("Leaders met. They talked.\n")
    doc = load_file(path)
    assert doc.metadata["title"] == "Seoul summit notes"
    assert doc.text.startswith("Leaders met.")


def test_header_lines_without_dashed_line_are_kept_as_text():
    meta, body = parse_header("Title: Not really a header\nThe text goes on.\n")
    assert meta == {}
    assert body.startswith("Title: Not really a header")


def test_html_text_is_extracted_without_scripts(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Page T</title><script>alert(1)</script></head>"
        "<body><h1>Head</h1><p>Seoul hosted the talks.</p></body></html>"
    )
    doc = load_file(path)
    assert "Seoul hosted the talks." in doc.text
    assert "alert" not in doc.text
    assert doc.metadata["title"] == "Page T"


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text, written by hand (no PDF writer dependency)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def test_pdf_text_is_extracted(tmp_path: Path):
    path = tmp_path / "brief.pdf"
    path.write_bytes(_minimal_pdf("The envoy arrived in Pyongyang."))
    doc = load_file(path)
    assert "The envoy arrived in Pyongyang." in doc.text


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "empty"),
        ("latin.txt", "caf\xe9 au lait".encode("latin-1"), "not UTF-8"),
        ("blob.txt", b"\x00\x01\x02binary", "binary"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported"),
        ("only-header.txt", b"Title: X\n-----\n\n", "no text"),
        ("no-dashes.txt", b"Title: X\nDate: 2025-06-01\nThe text goes on.\n", "not ended by a line of dashes"),
        ("huge.txt", b"Seoul. " * 200, "over the 1,000-byte cap"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(tmp_path: Path, name, content, reason):
    (tmp_path / "good.txt").write_text("A good sentence about Seoul.\n")
    (tmp_path / name).write_bytes(content)
    result = load_corpus([tmp_path], max_bytes=1000)
    assert [d.doc_id for d in result.documents] == ["good.txt"]
    assert len(result.skipped) == 1 and reason in result.skipped[0].reason


def test_duplicate_content_and_excluded_files_are_not_loaded_twice(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "doc.txt").write_text("Same words.\n")
    (b / "copy.txt").write_text("Same words.\n")
    (b / "SOURCES.md").write_text("Provenance table.\n")
    result = load_corpus([a, b], exclude=("SOURCES*",))
    assert [d.doc_id for d in result.documents] == ["doc.txt"]
    assert "same content" in result.skipped[0].reason


def test_documents_of_the_first_folder_are_primary_unless_a_header_says_otherwise(tmp_path: Path):
    own, related = tmp_path / "own", tmp_path / "related"
    own.mkdir(), related.mkdir()
    (own / "article.txt").write_text("Title: Our article\nAuthor: A. Writer\n-----\nThe article's text.\n")
    (own / "appendix.txt").write_text("Primary: no\n-----\nAn appendix that is not the article.\n")
    (related / "report.txt").write_text("Title: A report\n-----\nA related report.\n")
    (related / "companion.txt").write_text("Primary: Yes\n-----\nA second part of the article.\n")
    flags = {d.doc_id: d.metadata["primary"] for d in load_corpus([own, related]).documents}
    assert flags == {"article.txt": "true", "appendix.txt": "false", "report.txt": "false", "companion.txt": "true"}


def test_unreadable_file_is_skipped_with_a_reason(tmp_path: Path):
    import os

    if os.geteuid() == 0:  # root reads anything: make the path unreadable another way (a dangling link)
        (tmp_path / "locked.txt").symlink_to(tmp_path / "gone.txt")
    else:
        (tmp_path / "locked.txt").write_text("Secret.\n")
        (tmp_path / "locked.txt").chmod(0)
    (tmp_path / "good.txt").write_text("A good sentence about Seoul.\n")
    result = load_corpus([tmp_path])
    assert [d.doc_id for d in result.documents] == ["good.txt"]
    assert [Path(s.path).name for s in result.skipped] == ["locked.txt"]
    assert result.skipped[0].reason.startswith("unreadable (")
