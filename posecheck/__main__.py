import sys

from posecheck.cli.main import main

sys.exit(main())
