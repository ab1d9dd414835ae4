"""Excel sheet layouts: declarative sheets (``writer``), the streamed data rows (``rowstream``),
cell kinds (``kinds``) and the official report forms (``forms``)."""
