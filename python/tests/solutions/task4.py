# Body of TASK 4 (run_libero_episodes). Inserted between the TASK 4 markers, indented to match.
from collections import deque

print(f"Task suite: {task_suite_name}")
max_steps = MAX_STEPS[task_suite_name]
per_task = []
total_episodes, total_successes = 0, 0
for task_id in range(task_suite.n_tasks):
    env, description, init_states = make_libero_env(task_suite, task_id)
    print(f"\nTask: {description}")
    task_episodes, task_successes = 0, 0
    for episode_idx in range(num_trials):
        print(f"Starting episode {task_episodes + 1}...")
        success = False
        try:
            env.reset()
            obs = env.set_init_state(init_states[episode_idx % len(init_states)])
            actions = deque()
            t = 0
            while t < max_steps + NUM_STEPS_WAIT:
                if t < NUM_STEPS_WAIT:
                    # Objects fall into place during the first steps: wait with no-ops.
                    obs, _, done, _ = env.step(get_libero_dummy_action("openvla"))
                    t += 1
                    continue
                if not actions:
                    actions.extend(engine.predict_action_chunk(policy_image(obs), description))
                action = postprocess_action(actions.popleft(), normalize_gripper_action, invert_gripper_action)
                obs, _, done, _ = env.step(action)
                t += 1
                if done:
                    success = True
                    break
        except Exception as e:  # an episode that crashes counts as a failure, as in OpenVLA-OFT
            print(f"Episode error: {e}")
        task_episodes += 1
        total_episodes += 1
        if success:
            task_successes += 1
            total_successes += 1
        print(f"Success: {success}")
        print(f"# episodes completed so far: {total_episodes}")
        print(f"# successes: {total_successes} ({total_successes / total_episodes * 100:.1f}%)")
    env.close()
    per_task.append((task_episodes, task_successes))
    print(f"Current task success rate: {task_successes / task_episodes}")
    print(f"Current total success rate: {total_successes / total_episodes}")
return per_task
