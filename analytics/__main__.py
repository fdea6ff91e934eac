import sys

from analytics.app import main

sys.exit(main())
