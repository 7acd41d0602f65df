"""The digits example trains to the issue's accuracy goals and its exported
artifacts predict the same as the trained models."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "digits" / "train.py"


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("digits_train", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("kind,epochs,goal", [("mlp", 30, 0.95), ("cnn", 20, 0.97)])
def test_digits_reaches_the_accuracy_goal(example, kind, epochs, goal, tmp_path, capsys):
    accuracy = example.train(kind, epochs, 32, tmp_path)
    assert accuracy >= goal
    out = capsys.readouterr().out
    assert f"reloaded with dlc.runtime: accuracy {accuracy:.2%}" in out
    assert (tmp_path / f"{kind}_loss.png").stat().st_size > 10_000
    assert (tmp_path / f"{kind}.dlc").exists()


@pytest.mark.cuda
def test_digits_trains_on_the_gpu(example, tmp_path):
    # Parameters and Adam's state on the GPU through 30 epochs, synced back
    # for the evaluation on the host.
    assert example.train("mlp", 30, 32, tmp_path, target="cuda") >= 0.95
