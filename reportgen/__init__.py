"""reportgen: scheduled performance reports for Community Safety Partnerships.

The data flows one way: sources -> store -> evaluate -> document model ->
renderers (HTML/PDF, DOCX) -> delivery, driven by the CLI or the scheduler.
"""

import logging

__version__ = "0.1.0"

# Library code logs; the CLI decides where it goes.
logging.getLogger(__name__).addHandler(logging.NullHandler())
