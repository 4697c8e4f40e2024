"""Colours and fonts, one place. Helvetica: generic monospace overflows cells with some engines."""
FONT = "Helvetica"

GRAPH = {"fontname": FONT, "fontsize": "10", "labeljust": "l", "labelloc": "b", "nodesep": "0.25",
         "ranksep": "0.35"}
NODE = {"fontname": FONT, "fontsize": "10", "shape": "box", "style": "rounded,filled", "penwidth": "0.8"}
EDGE = {"fontname": FONT, "fontsize": "9", "color": "#555555", "fontcolor": "#333333", "arrowsize": "0.6"}

OP = {"fillcolor": "#eeeeee"}
SOFTMAX_OP = {"fillcolor": "#ffe0b2", "color": "#e65100"}
PARAMETER = {"fillcolor": "#c8e6c9", "color": "#2e7d32"}
LEAF = {"fillcolor": "#bbdefb", "color": "#1565c0"}
INTERMEDIATE = {"fillcolor": "#ffffff"}
OUTPUT = {"fillcolor": "#f8bbd0", "color": "#ad1457"}
CONSTANT = {"fillcolor": "#f5f5f5", "color": "#9e9e9e", "fontcolor": "#616161"}
CUT = {"fillcolor": "#ffffff", "style": "dashed", "shape": "note"}
CLUSTER = {"style": "rounded,dashed", "color": "#90a4ae", "fontname": FONT, "fontsize": "10"}
FOOTER_FONT = "Courier"  # monospace: the same advance width in dot's estimate and in every renderer
FOOTER_SIZE = "9"
