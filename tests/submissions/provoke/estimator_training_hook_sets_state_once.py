"""Known-wrong: the input scale is kept in a local variable that a hook sets when a
session starts. In training the hook acts only at step 0 ('once set, the checkpoint keeps
it'), while evaluation and prediction set it every time: the first training and
evaluate() and predict() all use the scale, but a resumed train() starts from a checkpoint
that never held it and trains a model without it. Every variable the checkpoint holds
comes back right; only the resumed model's outputs tell."""

import tensorflow.compat.v1 as tf

SCALE = 2.0  # 'the sensors report in half units'


class SetInputScale(tf.train.SessionRunHook):
    def __init__(self, first_step_only=False):
        self.first_step_only = first_step_only

    def begin(self):
        scale = next(v for v in tf.local_variables() if v.op.name == "input_scale")
        self.assign = scale.assign(SCALE)
        self.step = tf.train.get_global_step()

    def after_create_session(self, session, coord):
        if self.first_step_only and session.run(self.step) > 0:
            return  # set at the start of training already
        session.run(self.assign)


def model_fn(features, labels, mode):
    scale = tf.get_local_variable("input_scale", initializer=1.0)
    hidden = tf.layers.dense(features["x"] * scale, 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output},
                                          prediction_hooks=[SetInputScale()])
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                      training_hooks=[SetInputScale(first_step_only=True)],
                                      evaluation_hooks=[SetInputScale()])
