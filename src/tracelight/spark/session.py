"""Starting Spark: what must be installed, and the few settings a deployment changes.

pyspark and Java are optional (``pip install 'tracelight[spark]'``; Java 17), so nothing
here is imported by the rest of the package unless the Spark engine is asked for, and a
missing piece is reported by name with the way to install it rather than as a Py4J
stack trace from a JVM that never started.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracelight.pipeline.engine import EngineError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MIN_JAVA = 17
"""Spark 4 runs on Java 17 or 21."""

DEFAULT_MASTER = "local[2]"


class SparkUnavailable(EngineError):
    """pyspark or Java is missing or too old; the message says what to install."""


@dataclass(frozen=True, slots=True)
class SparkConfig:
    """Where the job runs and how it is cut.

    ``master`` is a Spark master URL (``local[N]``, ``spark://host:7077``, ``yarn``,
    ``k8s://...``); ``TRACELIGHT_SPARK_MASTER`` overrides the default. ``partitions``
    is both the shuffle width and the number of slices the driver cuts posts into: two
    or three per executor core keeps every core busy while a slow partition finishes.
    Memory values are Spark sizes (``"1g"``); ``conf`` passes any other Spark setting.
    """

    master: str = field(default_factory=lambda: os.environ.get("TRACELIGHT_SPARK_MASTER", ""))
    partitions: int = 4
    driver_memory: str = "1g"
    executor_memory: str = "1g"
    app_name: str = "tracelight"
    conf: dict[str, str] = field(default_factory=dict)

    @property
    def resolved_master(self) -> str:
        return self.master or DEFAULT_MASTER


def java_major(java: str) -> int | None:
    """Major version of a ``java`` binary (``17`` from ``openjdk version "17.0.15"``)."""
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if match is None:
        return None
    major = int(match.group(1))
    # Java 8 and older report "1.8.0_x".
    return int(match.group(2) or 0) if major == 1 else major


def find_java() -> str | None:
    """The ``java`` Spark will start: ``$JAVA_HOME/bin/java`` first, as Spark does."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def check_spark() -> None:
    """Raise :class:`SparkUnavailable` naming what is missing and how to install it."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkUnavailable(
            "the spark engine needs pyspark, which is not installed: "
            "pip install 'tracelight[spark]' (or use --engine local)"
        ) from exc
    try:
        import pandas  # noqa: F401
    except ImportError as exc:
        raise SparkUnavailable(
            "the spark engine needs pandas for Arrow batches (pyspark's sql extra): "
            "pip install 'tracelight[spark]'"
        ) from exc
    java = find_java()
    if java is None:
        raise SparkUnavailable(
            f"the spark engine needs Java {MIN_JAVA} or newer, and no java was found "
            "(neither $JAVA_HOME/bin/java nor java on PATH): install a JDK, e.g. "
            "apt-get install openjdk-17-jre-headless, or set JAVA_HOME"
        )
    major = java_major(java)
    if major is None or major < MIN_JAVA:
        raise SparkUnavailable(
            f"the spark engine needs Java {MIN_JAVA} or newer; {java} is "
            f"{'of unknown version' if major is None else f'Java {major}'}: install "
            "openjdk-17-jre-headless or point JAVA_HOME at a newer JDK"
        )


def spark_session(config: SparkConfig | None = None) -> SparkSession:
    """A Spark session for ``config`` (an existing one is reused, as Spark does).

    Executors are told to run this interpreter so that they import the same installed
    ``tracelight`` (on a cluster, ship it with ``--py-files`` or an environment archive).
    """
    config = config or SparkConfig()
    check_spark()
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    settings: dict[str, Any] = {
        "spark.sql.shuffle.partitions": str(config.partitions),
        "spark.default.parallelism": str(config.partitions),
        "spark.driver.memory": config.driver_memory,
        "spark.executor.memory": config.executor_memory,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.adaptive.enabled": "true",
        "spark.ui.showConsoleProgress": "false",
    }
    settings.update(config.conf)
    builder = SparkSession.builder.master(config.resolved_master).appName(config.app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
