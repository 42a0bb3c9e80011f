from django.db import models
from django.db.models import Func


class CountAll(Func):
    """
    COUNT(*) as a plain expression: in a subquery's values() it makes one row, 0 for
    none, without the GROUP BY and COALESCE that Count() needs there (and that cost
    more to build than the query takes to run).
    """

    template = "COUNT(*)"
    output_field = models.IntegerField()
