import sys

from posecheck.evaluation.corpus import main

sys.exit(main())
