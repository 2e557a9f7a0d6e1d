"""A plotly chart that starts running plotly only after the page around it has been painted.

Reflex mounts ``rx.plotly.basic`` as a client-side component that imports plotly's bundle (about
1 MB of script) the moment it mounts. The consumption page mounts it together with the plain
year bars that stand in for it (``year_bars_markup``), and a phone spends a second or more
evaluating that bundle on its main thread, so the bars it could have shown at once were
painted only after plotly had been evaluated (issue 28: 1.8 s between the page's data and its
first bars at 4x CPU). Here the import waits for one painted frame (an animation frame, then a
task after it): the bars are on the screen first, and plotly replaces them when it is ready.
Once loaded, the chart stays mounted, so a tap's drill-down waits for nothing.
"""

from __future__ import annotations

import json

from reflex_components_plotly.plotly import PlotlyBasic

# A frame is painted between an animation frame's callbacks and the task queued from them.
_AFTER_PAINT = "new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))"


class PlotlyAfterPaint(PlotlyBasic):
    """``rx.plotly.basic`` whose bundle is imported after the first paint of its page."""

    tag: str = "BasicPlotlyPlotAfterPaint"

    def _get_dynamic_imports(self) -> str:
        return (
            f"\nconst {self.tag} = ClientSide(() =>\n"
            f"    {_AFTER_PAINT}.then(() => import('plotly.js-basic-dist-min'))"
            ".then((mod) => createPlotlyComponent(mod))\n"
            f", {json.dumps(self.tag)})\n"
        )


plotly_after_paint = PlotlyAfterPaint.create
