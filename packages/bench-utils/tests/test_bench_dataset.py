from __future__ import annotations

import pytest

from bench_utils.dataset import DatasetError, load_dataset
from bench_utils.testing import make_sample_dataset


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_loads_csv_and_jsonl(tmp_path, fmt: str) -> None:
    samples = load_dataset(make_sample_dataset(tmp_path, 4, fmt=fmt))
    assert [s.id for s in samples] == ["s000", "s001", "s002", "s003"]
    assert samples[1].answer == "green" and samples[1].label == "green"
    assert samples[1].question_type == "color"
    assert samples[0].image == tmp_path / "images" / "0.png"


def write(tmp_path, body: str):
    path = tmp_path / "d.csv"
    path.write_text(body)
    return path


def test_duplicate_ids_are_an_error_naming_both_rows(tmp_path) -> None:
    path = write(tmp_path, "id,question,answer\na,q,1\nb,q,2\na,q,3\n")
    with pytest.raises(DatasetError, match="id 'a' appears in rows 1 and 3"):
        load_dataset(path)


def test_missing_id_is_an_error(tmp_path) -> None:
    with pytest.raises(DatasetError, match="row 2 has no id"):
        load_dataset(write(tmp_path, "id,question,answer\na,q,1\n,q,2\n"))


def test_missing_image_file_is_an_error(tmp_path) -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset(write(tmp_path, "id,image,question,answer\na,nope.png,q,1\n"))


def test_missing_question_column_and_empty_file(tmp_path) -> None:
    with pytest.raises(DatasetError, match="no 'question' column"):
        load_dataset(write(tmp_path, "id,answer\na,1\n"))
    with pytest.raises(DatasetError, match="no rows"):
        load_dataset(write(tmp_path, "id,question,answer\n"))
