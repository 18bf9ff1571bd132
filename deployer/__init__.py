"""sumo-content: detection content-as-code for Sumo Logic and Cloud SIEM.

The package is organised by stage of the data flow; see README.md for the tour.
"""

__version__ = "0.1.0"
