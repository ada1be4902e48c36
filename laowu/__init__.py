"""Laowu: organised rural labor export (劳务输出) for county and township governments."""

__version__ = "0.1.0"
