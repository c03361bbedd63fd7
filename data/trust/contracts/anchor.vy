# pragma version ~=0.4.3
"""
@title ledgerdesk tree-head anchor
@notice The desk writes the size and root of its transparency log's signed tree heads here.
        Once mined, an anchor cannot be changed or removed: its block number and time prove
        that the log had that root at that size no later than that block.
"""

event Anchored:
    tree_size: indexed(uint256)
    root: bytes32
    block_number: uint256
    block_time: uint256

struct Anchor:
    root: bytes32
    block_number: uint256
    block_time: uint256

owner: public(address)
latest_size: public(uint256)
anchors: HashMap[uint256, Anchor]


@deploy
def __init__():
    self.owner = msg.sender


@external
def anchor(tree_size: uint256, root: bytes32):
    """
    @notice Record the root of the log at ``tree_size``. Sizes only grow, so an anchor is never
            overwritten and an older head cannot be slipped in after a newer one.
    """
    assert msg.sender == self.owner, "only the owner anchors"
    assert tree_size > self.latest_size, "tree size must grow"
    assert root != empty(bytes32), "empty root"
    self.anchors[tree_size] = Anchor(root=root, block_number=block.number, block_time=block.timestamp)
    self.latest_size = tree_size
    log Anchored(tree_size=tree_size, root=root, block_number=block.number, block_time=block.timestamp)


@view
@external
def get_anchor(tree_size: uint256) -> (bytes32, uint256, uint256):
    """
    @notice The root, block number and block time anchored for ``tree_size``; all zero when
            that size was never anchored.
    """
    a: Anchor = self.anchors[tree_size]
    return a.root, a.block_number, a.block_time
