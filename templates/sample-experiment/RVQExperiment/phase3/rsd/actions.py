"""Action post-processing for LIBERO."""


def action_chunk_to_list(actions) -> list:
    """[chunk_len, 7] tensor or nested list -> list of 7-float lists."""
    if hasattr(actions, "tolist"):
        actions = actions.tolist()
    return [list(map(float, a)) for a in actions]


def postprocess_action(action, normalize_gripper_action, invert_gripper_action):
    """OpenVLA emits the gripper in [0, 1] (1 = open); LIBERO expects -1 = open, +1 = close.

    Normalise to [-1, 1] and binarise, then flip the sign (the OpenVLA dataloader flipped it)."""
    action = normalize_gripper_action(action, binarize=True)
    return invert_gripper_action(action)
