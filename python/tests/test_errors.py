"""Bad flow classes: each a FlowError (or a one-line CLI error, exit 2) naming what to fix."""

import pytest

from lockstep import Dataset, FlowError, flow, param, step

from conftest import run_py


def test_reserved_step_name():
    with pytest.raises(FlowError, match=r"step run: 'run' is a reserved name .*rename the method"):
        @flow
        class F:
            @step
            def run(self):
                pass


def test_step_name_breaking_the_flow_rule():
    with pytest.raises(FlowError, match=r"step trainModel: step names use lowercase letters"):
        @flow
        class F:
            @step
            def trainModel(self):
                pass


def test_private_method_name_is_not_a_step_name():
    with pytest.raises(FlowError, match=r"step _prep: step names use lowercase letters"):
        @flow
        class F:
            @step
            def _prep(self):
                pass


def test_cycle_in_needs():
    with pytest.raises(FlowError, match=r"dependency cycle: a -> c -> b -> a; remove one of these needs or inputs"):
        @flow
        class F:
            @step(needs=["c"])
            def a(self):
                pass

            @step(needs=["a"])
            def b(self):
                pass

            @step(needs=["b"])
            def c(self):
                pass


def test_cycle_through_inputs():
    with pytest.raises(FlowError, match=r"dependency cycle: .*a.*b"):
        @flow
        class F:
            @step(inputs={"x": "b.out"}, outputs=("out",))
            def a(self, x):
                pass

            @step(inputs={"x": "a.out"}, outputs=("out",))
            def b(self, x):
                pass


def test_needs_itself_and_unknown_step():
    with pytest.raises(FlowError, match=r"step a: needs itself"):
        @flow
        class F:
            @step(needs=["a"])
            def a(self):
                pass
    with pytest.raises(FlowError, match=r"step a: needs 'prep', which is not a step of this flow \(steps: a\)"):
        @flow
        class G:
            @step(needs=["prep"])
            def a(self):
                pass


@pytest.mark.parametrize("value,kind", [([1, 2], "list"), ({"a": 1}, "dict"), (None, "NoneType"), (b"x", "bytes")])
def test_unsupported_param_type(value, kind):
    with pytest.raises(FlowError, match=rf"param layers = param\(.*\): a {kind} cannot be a param; params are scalars"):
        @flow
        class F:
            layers = param(value)

            @step
            def a(self):
                pass


def test_nan_param():
    with pytest.raises(FlowError, match=r"param lr = param\(nan\): a param must be a finite number"):
        @flow
        class F:
            lr = param(float("nan"))

            @step
            def a(self):
                pass


def test_input_missing_from_signature():
    with pytest.raises(FlowError, match=r"step train: input data is not a parameter of the method; add `data`"):
        @flow
        class F:
            @step(inputs={"data": "data.csv"})
            def train(self):
                pass


def test_parameter_that_is_no_input():
    with pytest.raises(FlowError, match=r"step train: parameter dta is not an input of the step \(inputs: data\)"):
        @flow
        class F:
            @step(inputs={"data": "data.csv"})
            def train(self, dta):
                pass


def test_item_only_for_foreach_steps():
    with pytest.raises(FlowError, match=r"step train: parameter item: only a foreach step receives item"):
        @flow
        class F:
            @step
            def train(self, item):
                pass


def test_not_a_method():
    with pytest.raises(FlowError, match=r"step train: a step is a method; its first parameter is self"):
        @flow
        class F:
            @step
            def train():
                pass


def test_unknown_output_reference():
    with pytest.raises(FlowError, match=r"step train: input data: step prep has no output 'tabel' \(its outputs: table\)"):
        @flow
        class F:
            @step(outputs=("table",))
            def prep(self):
                pass

            @step(inputs={"data": "prep.tabel"})
            def train(self, data):
                pass


def test_output_attribute_of_a_step_is_checked_in_the_class_body():
    with pytest.raises(AttributeError, match=r"step prep has no output 'tabel'; its outputs: table"):
        @flow
        class F:
            @step(outputs=("table",))
            def prep(self):
                pass

            @step(inputs={"data": prep.tabel})
            def train(self, data):
                pass


def test_path_outside_the_project():
    with pytest.raises(FlowError, match=r"path '../secret.csv' must be relative to the flow file's folder"):
        @flow
        class F:
            @step(inputs={"data": "../secret.csv"})
            def a(self, data):
                pass


def test_bad_dataset_reference():
    with pytest.raises(FlowError, match=r"Dataset\('customers'\): want NAME@VERSION"):
        Dataset("customers")


def test_unknown_step_argument():
    with pytest.raises(FlowError, match=r"@step: unknown argument gpu=1"):
        step(gpu=1)


def test_empty_foreach_and_bad_values():
    with pytest.raises(FlowError, match=r"foreach 'lr': the list is empty"):
        @flow
        class F:
            @step(foreach={"lr": []})
            def a(self, item):
                pass
    with pytest.raises(FlowError, match=r"foreach 'lr': value \[1\] is not a scalar"):
        @flow
        class G:
            @step(foreach={"lr": [[1]]})
            def a(self, item):
                pass


def test_bad_flow_name_and_seed():
    with pytest.raises(FlowError, match=r"flow name 'Bad Name' is invalid"):
        @flow(name="Bad Name")
        class F:
            @step
            def a(self):
                pass
    with pytest.raises(FlowError, match=r"flow name 'churn\\n' is invalid"):
        @flow(name="churn\n")
        class H:
            @step
            def a(self):
                pass
    with pytest.raises(FlowError, match=r"seed=-1: want an integer from 0 to 4294967295"):
        @flow(seed=-1)
        class G:
            @step
            def a(self):
                pass


def test_no_steps():
    with pytest.raises(FlowError, match=r"flow class .*F: no steps"):
        @flow
        class F:
            x = param(1)


def test_cli_error_names_the_file_and_line(write_flow):
    path = write_flow('''
        from lockstep import flow, step

        @flow
        class F:
            @step(inputs={"data": "data.csv"})
            def train(self, dta):
                pass
    ''')
    r = run_py(["-m", "lockstep", "flow-json", path.name], cwd=path.parent)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.strip().splitlines() == [
        "lockstep: my_flow.py:6: flow class F: step train: parameter dta is not an input of the step (inputs: data); "
        "declare it in inputs= or remove it"
    ]


def test_cli_refuses_a_file_name_that_cannot_be_imported(write_flow):
    path = write_flow("import lockstep\n", name="my-flow")
    r = run_py(["-m", "lockstep", "flow-json", path.name], cwd=path.parent)
    assert r.returncode == 2
    assert "must be a Python identifier: rename it, e.g. my_flow.py" in r.stderr


def test_cli_refuses_a_file_shadowing_a_standard_module(write_flow):
    path = write_flow("import lockstep\n", name="random")
    # From another folder: in its own, random.py would shadow the standard
    # module before lockstep is even imported (Python puts the folder first).
    r = run_py(["-m", "lockstep", "flow-json", str(path)], cwd=path.parent.parent)
    assert r.returncode == 2
    assert "the name 'random' is taken by another module" in r.stderr


def test_cli_file_without_a_flow(write_flow):
    path = write_flow("x = 1\n")
    r = run_py(["-m", "lockstep", "flow-json", path.name], cwd=path.parent)
    assert r.returncode == 2
    assert "my_flow.py: no flow class in it; decorate a class with @lockstep.flow" in r.stderr


def test_cli_module_that_fails_to_import(write_flow):
    path = write_flow("import lockstep\nraise RuntimeError('boom at import')\n")
    r = run_py(["-m", "lockstep", "flow-json", path.name], cwd=path.parent)
    assert r.returncode == 2
    assert "RuntimeError: boom at import" in r.stderr
    assert r.stderr.strip().endswith("my_flow.py: importing it failed (the traceback above); fix the error and run again")


def test_args_are_refused_keyword_only_and_kwargs_accepted():
    with pytest.raises(FlowError, match=r"step a: parameter rest: inputs are passed by keyword"):
        @flow
        class F:
            @step(inputs={"data": "d.csv"})
            def a(self, *rest, data):
                pass

    @flow
    class G:
        @step(inputs={"data": "d.csv", "more": "m.csv"})
        def a(self, *, data, **others):
            pass

        @step(foreach={"k": [1]})
        def b(self, item, verbose=False):
            pass

    assert list(G.__lockstep_flow__.steps) == ["a", "b"]
