"""An equivalent schema for django-import-export: people, licenses, holdings."""

from django.db import models


class Person(models.Model):
    email = models.CharField(max_length=254, unique=True)


class License(models.Model):
    license_id = models.CharField(max_length=32, unique=True)
    seats = models.IntegerField()


class Holding(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    license = models.ForeignKey(License, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "license"], name="peer_unique")]
