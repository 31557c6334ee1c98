"""OpenVLA-OFT glue: register the HF classes shipped with the openvla-oft package."""
from prismatic.extern.hf.configuration_prismatic import OpenVLAConfig
from prismatic.extern.hf.modeling_prismatic import OpenVLAForActionPrediction
from prismatic.extern.hf.processing_prismatic import PrismaticImageProcessor, PrismaticProcessor
from transformers import AutoConfig, AutoImageProcessor, AutoModelForVision2Seq, AutoProcessor

BASE_MODEL = "moojink/openvla-7b-oft-finetuned-libero-spatial"


def register_openvla() -> None:
    """Lets AutoModelForVision2Seq load OpenVLA checkpoints with the package's own classes."""
    AutoConfig.register("openvla", OpenVLAConfig)
    AutoImageProcessor.register(OpenVLAConfig, PrismaticImageProcessor)
    AutoProcessor.register = getattr(AutoProcessor, "register", lambda *a, **k: None)
    AutoProcessor.register(OpenVLAConfig, PrismaticProcessor)
    AutoModelForVision2Seq.register(OpenVLAConfig, OpenVLAForActionPrediction)


def build_prompt(task_description: str) -> str:
    return f"In: What action should the robot take to {task_description.lower()}?\nOut:"
