"""The visit as a workbook (``visit.xlsx``, ``visit.ods``): one sheet per block.

``layout`` says which sheets and columns there are (derived from the model),
``write`` makes a workbook of a visit, ``read`` turns one back into the plain values
the loader validates, and ``convert`` goes between ``visit.yaml`` and a workbook.
"""
