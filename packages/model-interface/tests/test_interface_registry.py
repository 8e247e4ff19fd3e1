from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from model_interface import (
    AdapterRegistry,
    DuplicateAdapterError,
    ModelAdapter,
    UnknownAdapterError,
    parse_model_config,
)


def adapter_class(name: str, backend: str = "hf", families: tuple[str, ...] = ("demo",)) -> type:
    class Demo(ModelAdapter):
        def load(self) -> None:
            self._loaded = True

        def generate(self, requests):
            return []

        def stream(self, request):
            yield from ()

        def close(self) -> None:
            self._loaded = False

    Demo.name, Demo.backend, Demo.families = name, backend, families
    Demo.__qualname__ = f"Demo_{name}"
    return Demo


def test_register_and_get() -> None:
    registry = AdapterRegistry(group="hyperbench.test-none")
    cls = registry.register(adapter_class("one"))
    assert registry.get("one") is cls
    assert registry.names() == ["one"]


def test_duplicate_name_is_rejected_naming_both_classes() -> None:
    registry = AdapterRegistry(group="hyperbench.test-none")
    registry.register(adapter_class("same"))
    with pytest.raises(DuplicateAdapterError) as caught:
        registry.register(adapter_class("same"))
    message = str(caught.value)
    assert message.count("Demo_same") == 2
    assert "already registered" in message


def test_unknown_name_lists_what_exists() -> None:
    registry = AdapterRegistry(group="hyperbench.test-none")
    registry.register(adapter_class("alpha"))
    registry.register(adapter_class("beta"))
    with pytest.raises(
        UnknownAdapterError, match="unknown model adapter 'gamma'; available: alpha, beta"
    ):
        registry.get("gamma")


def test_class_without_name_is_a_type_error() -> None:
    registry = AdapterRegistry(group="hyperbench.test-none")
    cls = adapter_class("x")
    cls.name = ""
    with pytest.raises(TypeError, match="non-empty class attribute 'name'"):
        registry.register(cls)


def test_for_config_matches_family_and_backend_or_explicit_name() -> None:
    registry = AdapterRegistry(group="hyperbench.test-none")
    hf = registry.register(adapter_class("demo-hf", "hf"))
    vllm = registry.register(adapter_class("demo-vllm", "vllm"))
    config = parse_model_config({"family": "demo", "model_path": "m", "backend": "vllm"})
    assert registry.for_config(config) is vllm
    explicit = parse_model_config({"family": "demo", "model_path": "m", "adapter": "demo-hf"})
    assert registry.for_config(explicit) is hf
    other = parse_model_config({"family": "other", "model_path": "m"})
    with pytest.raises(UnknownAdapterError, match="'other/hf'"):
        registry.for_config(other)


def write_plugin(root, group: str) -> None:
    """A real installed distribution (dist-info) publishing one adapter entry point."""
    (root / "lazy_demo_adapter.py").write_text(
        textwrap.dedent("""
        from model_interface import ModelAdapter
        IMPORTED = True
        class LazyDemo(ModelAdapter):
            name = "lazy-demo"
            backend = "hf"
            families = ("demo",)
            def load(self): self._loaded = True
            def generate(self, requests): return []
            def stream(self, request): yield from ()
            def close(self): self._loaded = False
    """)
    )
    info = root / "lazy_demo_adapter-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lazy-demo-adapter\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{group}]\nlazy-demo = lazy_demo_adapter:LazyDemo\n")


def test_entry_points_are_listed_without_import_and_loaded_on_demand(tmp_path, monkeypatch) -> None:
    group = "hyperbench.test-plugins"
    write_plugin(tmp_path, group)
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = AdapterRegistry(group=group)
    assert registry.names() == ["lazy-demo"]
    assert "lazy_demo_adapter" not in sys.modules
    cls = registry.get("lazy-demo")
    assert cls.__name__ == "LazyDemo"
    assert "lazy_demo_adapter" in sys.modules
    monkeypatch.delitem(sys.modules, "lazy_demo_adapter")


def test_installed_qwen_adapters_are_listed_without_importing_torch() -> None:
    code = (
        "import sys; from model_interface import registry; names = registry.names(); "
        "cls = registry.get('qwen-vl-hf'); "
        "print(','.join(names), cls.backend, 'torch' in sys.modules, 'transformers' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    names, backend, torch_loaded, transformers_loaded = result.stdout.split()
    assert {"qwen-vl-hf", "qwen-vl-vllm"} <= set(names.split(","))
    assert (backend, torch_loaded, transformers_loaded) == ("hf", "False", "False")
