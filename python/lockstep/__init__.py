"""Write lockstep flows as Python classes.

    from lockstep import flow, step, param, Dataset, current, log_metric

    @flow(seed=42)
    class Churn:
        max_depth = param(4)

        @step(inputs={"raw": "data/customers.csv"}, outputs=("table",))
        def prepare(self, raw):
            ...
            return {"table": "/tmp/table.csv"}

    if __name__ == "__main__":
        lockstep.main()          # python churn_flow.py run [--seed 7] [--param max_depth=6]

The lockstep binary stays the engine: ``lockstep run churn_flow.py`` reads
the class as a flow (``python3 -m lockstep flow-json churn_flow.py``) and runs
each step as ``python3 -m lockstep.exec churn_flow:Churn.STEP`` in its
sandbox, recording it exactly like a step of a lockstep.yaml.
"""

__version__ = "0.1.0"

from ._runtime import StepError, current, items, load, log_metric  # noqa: E402
from ._spec import Dataset, FlowError, OutputRef, flow, param, step  # noqa: E402


def main(argv=None):
    """The command line of a flow file; call it under ``if __name__ == "__main__":``.

    ``python FILE.py run [ARGS]`` runs ``lockstep run FILE.py ARGS``; ``python FILE.py
    flow-json`` prints the flow JSON; other commands go to the lockstep binary.
    It exits with the command's exit code.
    """
    from ._cli import flow_main

    flow_main(argv)

__all__ = [
    "Dataset", "FlowError", "OutputRef", "StepError", "current", "flow", "items", "load", "log_metric", "main", "param", "step",
    "__version__",
]
