"""LIBERO's task suites: the language description of each task, in the benchmark's order
(libero/libero/bddl_files/<suite>). The stand-in's fake `libero` serves them; the evaluation-log
fixtures print them."""

SUITES = {
    "libero_spatial": [
        "pick up the black bowl between the plate and the ramekin and place it on the plate",
        "pick up the black bowl next to the ramekin and place it on the plate",
        "pick up the black bowl from table center and place it on the plate",
        "pick up the black bowl on the cookie box and place it on the plate",
        "pick up the black bowl in the top drawer of the wooden cabinet and place it on the plate",
        "pick up the black bowl on the ramekin and place it on the plate",
        "pick up the black bowl next to the cookie box and place it on the plate",
        "pick up the black bowl on the stove and place it on the plate",
        "pick up the black bowl next to the plate and place it on the plate",
        "pick up the black bowl on the wooden cabinet and place it on the plate"],
    "libero_object": [f"pick up the {o} and place it in the basket" for o in (
        "alphabet soup", "cream cheese", "salad dressing", "bbq sauce", "ketchup", "tomato sauce", "butter",
        "milk", "chocolate pudding", "orange juice")],
    "libero_goal": ["open the middle drawer of the cabinet", "put the bowl on the stove", "put the wine bottle on top of the cabinet",
                    "open the top drawer and put the bowl inside", "put the bowl on top of the cabinet", "push the plate to the front of the stove",
                    "put the cream cheese in the bowl", "turn on the stove", "put the bowl on the plate", "put the wine bottle on the rack"],
    "libero_10": [f"long-horizon task {i}: put both objects in the basket" for i in range(10)],
    "libero_90": [f"kitchen scene task {i}" for i in range(90)],
}
