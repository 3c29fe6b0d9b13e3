using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CellSeg.Models.Torch;

/// <summary>
/// TorchSharp's Adam, SGD and RMSprop with the same arithmetic in the same order, but every scalar held across its
/// native call: TorchSharp's own steps pass <c>beta1</c>, <c>1 - beta1</c>, <c>eps</c>, the step size, the momentum
/// and more as temporaries that a GC on another thread can free mid-call (see <see cref="Scalars"/>).
/// </summary>
/// <remarks>
/// Each derives from TorchSharp's class and keeps its state, options, parameter groups and state-dict files. They
/// carry TorchSharp's class names on purpose: <c>save_state_dict</c> writes <c>GetType().Name</c> and
/// <c>load_state_dict</c> refuses another name, so under these names an optimiser checkpoint written before this
/// change resumes here and one written here loads into TorchSharp's own (tested both ways).
/// </remarks>
public static class HeldOptimizers
{
    /// <summary>Adam (L2 weight decay; no amsgrad, no maximize: the trainers use neither).</summary>
    public sealed class Adam : TorchSharp.Modules.Adam
    {
        /// <summary>Adam over <paramref name="parameters"/> (PyTorch's defaults).</summary>
        public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
            : base(parameters, lr, beta1, beta2, eps, weightDecay)
        {
        }

        /// <inheritdoc />
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            var beta1 = options.beta1!.Value;
            var beta2 = options.beta2!.Value;
            var weightDecay = options.weight_decay!.Value;
            var learningRate = options.LearningRate!.Value;
            if (options.amsgrad!.Value || options.maximize!.Value)
            {
                throw new NotSupportedException("HeldOptimizers.Adam implements Adam without amsgrad and maximize (the trainers use neither).");
            }

            using var beta1Scalar = Scalars.Of(beta1);
            using var oneMinusBeta1 = Scalars.Of(1 - beta1);
            using var beta2Scalar = Scalars.Of(beta2);
            using var oneMinusBeta2 = Scalars.Of(1 - beta2);
            using var eps = Scalars.Of(options.eps!.Value);
            using var decay = Scalars.Of(weightDecay);
            foreach (var parameter in group.Parameters)
            {
                var state = (State)_state[parameter.Handle];
                var grad = parameter.grad;
                if (grad is null)
                {
                    continue;
                }

                state.step += 1;
                var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
                var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
                if (weightDecay != 0)
                {
                    grad = grad.add(parameter, decay);
                }

                state.exp_avg.mul_(beta1Scalar).add_(grad, oneMinusBeta1);
                state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad.conj(), oneMinusBeta2);
                using var correction2 = Scalars.Of(Math.Sqrt(biasCorrection2));
                var denominator = state.exp_avg_sq.sqrt().div_(correction2).add_(eps, Scalars.One);
                using var stepSize = Scalars.Of(-(learningRate / biasCorrection1));
                parameter.addcdiv_(state.exp_avg, denominator, stepSize);
            }
        }, closure);
    }

    /// <summary>SGD with momentum, dampening, Nesterov and weight decay per parameter group.</summary>
    public sealed class SGD : TorchSharp.Modules.SGD
    {
        /// <summary>SGD over one group of <paramref name="parameters"/>.</summary>
        public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0.0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
            : base(parameters, lr, momentum, dampening, weightDecay, nesterov)
        {
        }

        /// <summary>SGD over parameter groups, each with its own options (defaults for what a group leaves unset).</summary>
        public SGD(IEnumerable<ParamGroup> groups, double lr, double momentum = 0.0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
            : base(groups, lr, momentum, dampening, weightDecay, nesterov)
        {
        }

        /// <inheritdoc />
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = group.Options;
            var momentum = options.momentum!.Value;
            var weightDecay = options.weight_decay!.Value;
            var nesterov = options.nesterov!.Value;
            var learningRate = options.LearningRate!.Value;
            using var momentumScalar = Scalars.Of(momentum);
            using var keep = Scalars.Of(1 - options.dampening!.Value);
            using var decay = Scalars.Of(weightDecay);
            using var rate = Scalars.Of(options.maximize!.Value ? learningRate : -learningRate);
            foreach (var parameter in group.Parameters)
            {
                var state = (State)_state[parameter.Handle];
                var grad = parameter.grad;
                if (grad is null)
                {
                    continue;
                }

                if (weightDecay != 0)
                {
                    grad = grad.add(parameter, decay);
                }

                if (momentum != 0)
                {
                    var buffer = state.momentum_buffer;
                    if (buffer is null)
                    {
                        buffer = grad.clone().detach().DetachFromDisposeScope();
                        state.momentum_buffer = buffer;
                    }
                    else
                    {
                        buffer.mul_(momentumScalar).add_(grad, keep);
                    }

                    grad = nesterov ? grad.add(buffer, momentumScalar) : buffer;
                }

                parameter.add_(grad, rate);
            }
        }, closure);
    }

    /// <summary>RMSprop, plain or centred, with momentum and weight decay.</summary>
    public sealed class RMSProp : TorchSharp.Modules.RMSProp
    {
        /// <summary>RMSprop over <paramref name="parameters"/> (PyTorch's defaults).</summary>
        public RMSProp(IEnumerable<Parameter> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0.0, bool centered = false)
            : base(parameters, lr, alpha, eps, weightDecay, momentum, centered)
        {
        }

        /// <inheritdoc />
        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            var momentum = options.momentum!.Value;
            var alpha = options.alpha!.Value;
            var weightDecay = options.weight_decay!.Value;
            var maximize = options.maximize!.Value;
            using var alphaScalar = Scalars.Of(alpha);
            using var oneMinusAlpha = Scalars.Of(1 - alpha);
            using var eps = Scalars.Of(options.eps!.Value);
            using var decay = Scalars.Of(weightDecay);
            using var momentumScalar = Scalars.Of(momentum);
            using var rate = Scalars.Of(-options.LearningRate!.Value);
            foreach (var parameter in group.Parameters)
            {
                var state = (State)_state[parameter.Handle];
                var grad = parameter.grad;
                if (grad is null)
                {
                    continue;
                }

                if (maximize)
                {
                    grad = grad.neg();
                }

                state.step += 1;
                if (weightDecay != 0)
                {
                    grad = grad.add(parameter, decay);
                }

                state.square_avg.mul_(alphaScalar).addcmul_(grad, grad, oneMinusAlpha);
                Tensor average;
                if (options.centered!.Value)
                {
                    var gradAverage = state.grad_avg;
                    gradAverage.mul_(alphaScalar).add_(grad, oneMinusAlpha);
                    average = state.square_avg.addcmul(gradAverage, gradAverage, Scalars.MinusOne).sqrt_().add_(eps, Scalars.One);
                }
                else
                {
                    average = state.square_avg.sqrt().add_(eps, Scalars.One);
                }

                if (momentum > 0)
                {
                    var buffer = state.momentum_buffer;
                    buffer.mul_(momentumScalar).addcdiv_(grad, average, Scalars.One);
                    parameter.add_(buffer, rate);
                }
                else
                {
                    parameter.addcdiv_(grad, average, rate);
                }
            }
        }, closure);
    }
}
