"""Builds the optional native extension ``simplezarr._native`` with the machine's C compiler
(``pip install .`` and ``pip install -e .`` run this). Everything else is in pyproject.toml.

A failed build does not fail the install: simplezarr then runs its pure-Python path
(``simplezarr.native.available`` is False), which does everything the extension does.
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """build_ext that warns instead of failing when the extension cannot be compiled."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as e:  # noqa: BLE001 (no compiler, no headers: the pure-Python path)
            self.warn(f"simplezarr._native not built ({e}); using the pure-Python path")

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as e:  # noqa: BLE001 (whatever failed, the install goes on)
            self.warn(f"simplezarr._native not built ({e}); using the pure-Python path")


setup(
    ext_modules=[
        Extension(
            "simplezarr._native",
            sources=["simplezarr/_native.c"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ],
    cmdclass={"build_ext": OptionalBuildExt},
)
