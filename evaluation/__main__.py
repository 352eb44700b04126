import sys

from evaluation.cli.main import main, stop_cleanly_on_sigterm

stop_cleanly_on_sigterm()
sys.exit(main())
