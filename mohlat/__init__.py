"""mohlat (مهلت, "deadline"): the evaluation and ranking of Iran's government service
counter offices and rural ICT offices, with Jalali-calendar deadlines it enforces by itself.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
