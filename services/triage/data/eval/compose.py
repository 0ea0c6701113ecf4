"""Writes reports.jsonl: the labelled evaluation set of triage (see README.md).

Every scenario below was written by hand for this purpose: one risk, told by one or more
stations in their own words (those tellings are duplicates of each other), with the
category, the importance a regulator would give it, and the districts. The script only
spreads the scenarios over districts and days and writes one JSON object per line.
Run: python3 services/triage/data/eval/compose.py
"""
import json, os

D = ["310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112",
     "310113", "310114", "310115", "310116", "310117", "310118", "310120", "310151"]

# (category, important, [(product, content), ...]); casualties as a 4th element when given.
S = []
def s(cat, imp, *tellings, casualties=None):
    S.append((cat, imp, list(tellings), casualties))

# --- children_products
s("children_products", True,
  ("儿童电动滑板车", "某品牌儿童电动滑板车充电时电池起火，烧毁阳台杂物"),
  ("儿童电动滑板车", "社区监测点反映：儿童滑板车在楼道充电过程中突然起火冒烟"),
  ("Kids electric scooter", "A children's electric scooter caught fire while charging in a stairwell"))
s("children_products", True,
  ("磁力积木玩具", "磁力积木磁铁易脱落，幼儿误吞后可能造成肠道穿孔"),
  ("儿童磁力积木", "多名家长投诉磁力片外壳开裂，小磁铁脱落，存在儿童误吞风险"))
s("children_products", False,
  ("儿童书包", "书包标签未标注执行标准及安全类别，标识不规范"))
s("children_products", True,
  ("婴儿床", "婴儿床栏杆间距过大，婴儿头部可能被卡住导致窒息"),
  ("婴儿床", "检测发现该款婴儿床护栏间隙超标，存在卡头窒息风险"))
s("children_products", False,
  ("儿童文具套装", "铅笔盒内文具包装破损，外观有划痕，消费者要求退换"))
s("children_products", True,
  ("Toy rattle", "Small parts detach from the rattle and are a choking hazard for infants"),
  ("婴儿摇铃玩具", "摇铃玩具小零件易脱落，婴幼儿误吞有窒息危险"))
s("children_products", False,
  ("儿童餐椅", "电商差评集中反映餐椅安装说明书不清晰，螺丝孔位不齐"))
s("children_products", True,
  ("儿童安全座椅", "儿童安全座椅卡扣在碰撞测试中断裂，无法有效保护儿童"),
  ("汽车儿童安全座椅", "某款儿童安全座椅碰撞试验中安全带卡扣断裂，存在伤害儿童风险"))
s("children_products", False,
  ("学生书包", "学生书包肩带缝线松脱，质量一般，差评较多"),
  ("书包", "电商平台书包评论反映肩带容易开线"))
s("children_products", True,
  ("Children's hoodie", "Drawstrings at the hood of children's clothing pose a strangulation risk"))
s("children_products", False,
  ("婴儿奶瓶", "奶瓶刻度印刷模糊，消费者难以读取刻度"))
s("children_products", True,
  ("儿童玩具枪", "玩具枪发射的软弹速度过快，已致一名儿童眼部受伤", ), casualties=(0, 1))

# --- elderly_products
s("elderly_products", True,
  ("老年人助行器", "助行器支脚焊点断裂，一名老人摔倒受伤"),
  ("老人助行器", "社区反映助行器在使用中支架断裂导致老人摔伤"))
s("elderly_products", False,
  ("老年手机", "老年手机说明书字体过小，按键标识不清"))
s("elderly_products", True,
  ("电动轮椅", "电动轮椅电池过热起火，所幸未造成人员伤亡"))
s("elderly_products", False,
  ("Wheelchair", "Customers report that the wheelchair armrest padding wears out quickly"))
s("elderly_products", False,
  ("护理床", "护理床护栏调节卡顿，用户反映不便"),
  ("老年护理床", "多条评论称护理床护栏升降不顺畅"))

# --- household_appliances
s("household_appliances", True,
  ("移动电源", "某品牌20000毫安移动电源充电时外壳鼓包并冒烟，存在起火风险"),
  ("充电宝", "多名消费者反映该品牌20000毫安充电宝充电时鼓包、冒烟，有起火隐患"),
  ("Power bank", "Several buyers report the 20000mAh power bank swelling and smoking while charging, a fire risk"))
s("household_appliances", False,
  ("充电宝", "充电宝外包装标识不全，缺少生产日期和额定容量"))
s("household_appliances", True,
  ("电热水壶", "电热水壶底座接线松动导致漏电，一名用户触电后送医"),
  ("电水壶", "消费者使用电热水壶时被电击，经查底座绝缘失效"), casualties=(0, 1))
s("household_appliances", False,
  ("电饭煲", "电饭煲内胆涂层磨损较快，米饭粘锅"))
s("household_appliances", True,
  ("电暖器", "电暖器倾倒后未自动断电，引燃地毯发生火灾"),
  ("取暖器", "小太阳取暖器倾倒开关失效，倒地后继续加热引发火灾"))
s("household_appliances", False,
  ("微波炉", "微波炉门把手易松动，外观有色差"))
s("household_appliances", True,
  ("Hair dryer", "The hair dryer overheated and burst into flames in a user's hand, causing burns"),
  ("电吹风", "电吹风使用中过热起火，用户手部烧伤"))
s("household_appliances", False,
  ("洗衣机", "洗衣机脱水时噪声偏大，用户投诉"),
  ("滚筒洗衣机", "多条差评反映洗衣机脱水噪音大、震动明显"))
s("household_appliances", True,
  ("电热毯", "电热毯温控器失灵，局部过热烧焦床单，险些起火"))
s("household_appliances", False,
  ("Electric kettle", "The kettle's lid hinge breaks after a few weeks of use"))
s("household_appliances", True,
  ("电磁炉", "电磁炉面板在加热时炸裂，碎片致使用者手臂割伤"))
s("household_appliances", False,
  ("空调", "空调能效标识与实测不符，能效等级虚标"))
s("household_appliances", False,
  ("冰箱", "冰箱冷藏室温度波动大，食物易变质，用户投诉"))

# --- furniture_home
s("furniture_home", True,
  ("五斗柜", "五斗柜未配防倾倒装置，儿童攀爬时柜体倾倒砸伤儿童"),
  ("儿童房抽屉柜", "抽屉柜倾倒致儿童受伤，产品未附防倾倒固定件"))
s("furniture_home", False,
  ("实木地板", "实木地板铺装后出现起拱开裂"))
s("furniture_home", False,
  ("布艺沙发", "沙发面料起球严重，与宣传不符"),
  ("沙发", "电商差评集中：布艺沙发面料容易起球"))
s("furniture_home", False,
  ("床垫", "床垫甲醛释放量超标，有刺激性气味"),
  ("乳胶床垫", "送检床垫甲醛释放量不合格，消费者反映异味大"))
s("furniture_home", False,
  ("Wardrobe", "Wardrobe doors misaligned and hinges loosen, customers ask for refunds"))
s("furniture_home", False,
  ("墙面涂料", "内墙涂料挥发性有机物含量超标"))
s("furniture_home", True,
  ("玻璃茶几", "钢化玻璃茶几无故自爆，碎玻璃划伤在旁的老人"))

# --- smart_home
s("smart_home", False,
  ("智能门锁", "智能门锁指纹识别失灵，住户被锁门外"),
  ("指纹锁", "多名用户反映智能门锁指纹经常无法识别，无法开门"))
s("smart_home", False,
  ("Smart lock", "The smart lock can be opened with a magnet, a burglary risk"))
s("smart_home", True,
  ("智能插座", "智能插座内部元件过热熔化，插座冒烟起火"),
  ("WiFi智能插座", "智能插座长时间带载后发热冒烟，存在火灾隐患"))
s("smart_home", False,
  ("扫地机器人", "扫地机器人APP频繁掉线，无法远程控制"))
s("smart_home", False,
  ("智能音箱", "智能音箱隐私政策不清晰，存在录音上传问题"))

# --- materials_components
s("materials_components", False,
  ("建筑用钢材", "螺纹钢屈服强度不达标，抽检不合格"),
  ("钢材", "抽检发现热轧带肋钢筋屈服强度低于标准要求"))
s("materials_components", False,
  ("紧固件", "高强度螺栓硬度不合格，批量退货"))
s("materials_components", False,
  ("Fasteners", "A batch of bolts failed the hardness test and was returned to the supplier"))

# --- food_machinery
s("food_machinery", True,
  ("绞肉机", "商用绞肉机防护罩缺失，操作工手指被绞伤"),
  ("绞肉机", "某餐饮店绞肉机无安全联锁，员工手部受伤"))
s("food_machinery", False,
  ("破壁机", "破壁机噪声过大，电机易烧，差评较多"))
s("food_machinery", False,
  ("Juicer", "The juicer blade assembly rusts after a month of use"))
s("food_machinery", False,
  ("和面机", "和面机铭牌缺失，无生产厂家信息"))

# --- disposable_food_containers
s("disposable_food_containers", False,
  ("一次性餐盒", "外卖餐盒高温下变形，蒸发残留量超标"),
  ("外卖餐盒", "抽检外卖打包盒蒸发残留量不合格，加热后变形"))
s("disposable_food_containers", False,
  ("一次性餐具", "一次性筷子二氧化硫残留超标"))
s("disposable_food_containers", False,
  ("Takeaway box", "Takeaway boxes leak and deform when filled with hot soup"))

# --- food_paper_packaging
s("food_paper_packaging", False,
  ("纸杯", "纸杯荧光增白剂检出，杯壁过薄"),
  ("一次性纸杯", "监测发现某品牌纸杯可迁移荧光增白剂阳性"))
s("food_paper_packaging", False,
  ("纸碗", "纸碗淋膜脱落，盛放热汤时渗漏"))
s("food_paper_packaging", False,
  ("Paper cup", "Paper cups tested positive for fluorescent whitening agents"))

# --- food_contact_materials
s("food_contact_materials", False,
  ("不粘锅", "不粘锅涂层易脱落，涂层成分不明"),
  ("不粘炒锅", "消费者反映不粘锅使用一月涂层大面积剥落"))
s("food_contact_materials", False,
  ("塑料水杯", "塑料水杯双酚A迁移量超标"))
s("food_contact_materials", False,
  ("密封罐", "玻璃密封罐盖子密封圈有异味"))
s("food_contact_materials", True,
  ("陶瓷餐具", "彩绘陶瓷餐具铅溶出量严重超标，长期使用可致铅中毒"),
  ("陶瓷碗", "检测发现陶瓷碗铅镉溶出量超标，存在中毒风险"))
s("food_contact_materials", False,
  ("Cling film", "Cling film labelled PE was found to be PVC containing plasticisers"))
s("food_contact_materials", False,
  ("保鲜膜", "保鲜膜实为PVC材质，标识为PE，误导消费者"))

# --- refined_oil
s("refined_oil", False,
  ("车用汽油", "加油站汽油硫含量超标"),
  ("汽油", "抽检某加油站92号汽油硫含量不合格"))
s("refined_oil", False,
  ("柴油", "柴油闪点不合格，十六烷值偏低"))
s("refined_oil", False,
  ("车用尿素", "车用尿素溶液浓度不达标，影响尾气处理"))
s("refined_oil", True,
  ("Diesel", "Contaminated diesel sold at a roadside station; a storage tank leak caused an explosion"))

# --- wires_cables
s("wires_cables", True,
  ("插线板", "插线板内部铜片过细，大功率使用时发热熔化起火"),
  ("排插", "多起投诉称排插使用中发烫冒烟，外壳熔化"),
  ("Power strip", "The power strip overheated and melted under a heater load, smoke and fire"))
s("wires_cables", False,
  ("电线", "家装电线导体电阻不合格，截面积不足"),
  ("BV电线", "抽检发现家装BV电线导体电阻超标，线芯偏细"))
s("wires_cables", False,
  ("网线", "网线外皮标识与实际规格不符"))
s("wires_cables", False,
  ("Extension cord", "Extension cords sold online lack the CCC mark"))
s("wires_cables", False,
  ("电缆", "电力电缆绝缘厚度不达标，抽检不合格"))

# --- explosion_proof_electrical
s("explosion_proof_electrical", True,
  ("防爆灯", "化工厂防爆灯外壳隔爆面间隙超标，可能引发爆炸"),
  ("防爆照明灯", "检验发现防爆灯隔爆接合面不符合要求，易燃环境中存在爆炸风险"))
s("explosion_proof_electrical", False,
  ("防爆电机", "防爆电机铭牌防爆标志不全"))

# --- hazardous_chemicals
s("hazardous_chemicals", True,
  ("液化气罐", "液化石油气钢瓶阀门漏气，厨房发生爆炸，2人受伤"),
  ("液化气钢瓶", "钢瓶角阀密封不严导致燃气泄漏爆炸，两人烧伤"), casualties=(0, 2))
s("hazardous_chemicals", False,
  ("危化品包装桶", "危险化学品包装桶标签缺失，未标注危险性说明"))
s("hazardous_chemicals", True,
  ("Gas cylinder", "A gas cylinder valve leaked and the cylinder exploded in a restaurant kitchen"))
s("hazardous_chemicals", False,
  ("化学品包装", "化学品包装容器检验标志过期"))
s("hazardous_chemicals", True,
  ("管道疏通剂", "管道疏通剂包装破裂，溅出后致使用者皮肤化学灼伤"))

# --- masks
s("masks", False,
  ("防尘口罩", "防尘口罩过滤效率不达标"),
  ("防尘口罩", "抽检KN95防尘口罩颗粒物过滤效率低于标准值"),
  ("Dust mask", "KN95 dust masks failed the particle filtration efficiency test"))
s("masks", False,
  ("一次性口罩", "一次性口罩耳带易断，包装无生产日期"))
s("masks", False,
  ("儿童口罩", "儿童口罩尺寸偏大，密合性差"))
s("masks", False,
  ("Face mask", "Non-medical face masks have a strong smell and ear loops snap"))
s("masks", False,
  ("口罩", "电商平台口罩差评集中在异味和鼻夹松脱"),
  ("非医用口罩", "消费者评论反映口罩有刺鼻异味、鼻夹容易松"))

# --- ic_card_readers
s("ic_card_readers", False,
  ("IC卡读写机", "IC卡读写器读卡失败率高，通信协议不兼容"),
  ("读卡器", "燃气表IC卡读卡器频繁读卡失败"))
s("ic_card_readers", False,
  ("Card reader", "Card readers in the metro fail to read cards in cold weather"))

# --- fire_doors
s("fire_doors", True,
  ("防火门", "小区防火门耐火时间不达标，火灾时无法阻止火势蔓延"),
  ("钢质防火门", "抽检钢质防火门耐火完整性不合格，起火时隔火失效"))
s("fire_doors", False,
  ("防火门", "防火门闭门器缺失，标识不全"))
s("fire_doors", False,
  ("Fire door", "Fire doors installed without the required certification labels"))

# --- school_uniforms
s("school_uniforms", False,
  ("校服", "校服面料pH值超标，纤维含量与标识不符"),
  ("中学生校服", "抽检校服pH值不合格，纤维成分标注错误"))
s("school_uniforms", False,
  ("校服", "校服起球严重，色牢度差"))
s("school_uniforms", False,
  ("School uniform", "School uniforms contain azo dyes above the limit"))
s("school_uniforms", True,
  ("小学校服", "小学生校服帽绳过长，课间玩耍时被勒颈"))

# --- plastic_shopping_bags
s("plastic_shopping_bags", False,
  ("塑料购物袋", "超市塑料购物袋厚度不足0.025毫米，属禁止销售产品"),
  ("塑料袋", "农贸市场使用超薄塑料袋，厚度不达标"))
s("plastic_shopping_bags", False,
  ("Shopping bag", "Shopping bags labelled biodegradable are not degradable"))
s("plastic_shopping_bags", False,
  ("可降解购物袋", "可降解购物袋降解率不达标，虚假宣传"))

# --- air_purifiers
s("air_purifiers", False,
  ("空气净化器", "空气净化器CADR值虚标"),
  ("净化器", "多条评论称空气净化器实际净化效果远低于宣传的CADR"))
s("air_purifiers", False,
  ("Air purifier", "The air purifier emits ozone above the limit"))
s("air_purifiers", True,
  ("空气净化器", "空气净化器电源板短路起火，烧毁客厅家具"))

# --- indoor_purification
s("indoor_purification", False,
  ("除甲醛喷剂", "除甲醛产品宣称效果无检测依据，实际去除率低"),
  ("甲醛清除剂", "甲醛清除剂去除率与宣传不符，消费者投诉"))
s("indoor_purification", False,
  ("Formaldehyde removal gel", "Formaldehyde removal gel makes unsupported claims"))

# --- chemical_building_materials
s("chemical_building_materials", False,
  ("PVC管", "PVC给水管铅含量超标，卫生性能不合格"),
  ("塑料管材", "抽检PVC-U给水管材铅析出量不合格"))
s("chemical_building_materials", False,
  ("防水涂料", "防水涂料固含量不足，拉伸强度不合格"))
s("chemical_building_materials", False,
  ("Waterproof coating", "Waterproof coating failed the tensile strength test"))

# --- lubricating_oil
s("lubricating_oil", False,
  ("机油", "车用机油粘度等级与标识不符"),
  ("发动机机油", "抽检机油运动粘度不合格，标签粘度等级虚标"))
s("lubricating_oil", False,
  ("Motor oil", "Counterfeit motor oil sold online under a major brand"))
s("lubricating_oil", False,
  ("润滑油", "工业润滑油闪点偏低"))

# --- electromechanical
s("electromechanical", True,
  ("电动自行车", "电动自行车电池在楼道充电时起火，造成1人死亡"),
  ("电瓶车", "居民楼内电瓶车充电起火，一人不幸身亡"),
  ("E-bike", "An e-bike battery caught fire while charging in a hallway; one resident died"), casualties=(1, 0))
s("electromechanical", False,
  ("电动工具", "电钻开关接触不良，外壳标识不清"))
s("electromechanical", True,
  ("角磨机", "角磨机防护罩强度不足，砂轮片碎裂飞出致人受伤"))
s("electromechanical", False,
  ("Power tool", "The cordless drill's battery lasts far shorter than advertised"))
s("electromechanical", False,
  ("电动自行车", "电动自行车整车质量超过55公斤，不符合新国标"),
  ("电动自行车", "抽查发现多款电动自行车整车质量超标、车速限值不符合国标"))
s("electromechanical", True,
  ("电梯", "小区电梯制动失灵，轿厢冲顶，一名乘客受伤"))

# --- out of catalogue / ambiguous: a person decides (label null)
s(None, False, ("保健枕头", "枕头填充物与标签不符"))
s(None, False, ("Yoga mat", "The yoga mat smells strongly and loses grip"))
s(None, False, ("太阳镜", "太阳镜紫外线透射比不达标"))
s(None, True, ("户外烧烤炉", "烧烤炉燃气接口漏气，点火时爆燃致人烧伤"))

# Negations and near misses a regulator would not raise (kept to measure precision).
s("household_appliances", False,
  ("电烤箱", "电烤箱外壳温升测试合格，未发现起火或漏电隐患，仅说明书有误"))
s("children_products", False,
  ("儿童玩具车", "玩具车遥控距离不足，电池仓无起火迹象，无人员受伤"))
s("furniture_home", False,
  ("Office chair", "Armrest creaks; no injuries reported and no fire or shock risk found"))

# --- more tellings: e-commerce review digests, hospital and school points, associations
s("children_products", True,
  ("儿童口水巾", "口水巾按扣易脱落，婴儿可能误吞"),
  ("婴儿口水巾", "电商评论：口水巾上的按扣被宝宝咬掉，担心误吞"))
s("children_products", False,
  ("儿童自行车", "儿童自行车车把护套易脱落，外观瑕疵"),
  ("童车", "童车把套松动，家长差评"))
s("children_products", True,
  ("Baby walker", "Baby walker tipped over on a door threshold; an infant suffered a head injury"),
  ("婴儿学步车", "学步车过门槛时侧翻，婴儿头部受伤"))
s("children_products", False,
  ("儿童积木", "积木颜色与图片不符，包装破损"))
s("children_products", True,
  ("儿童蹦床", "家用儿童蹦床弹簧外露无护垫，儿童跳跃时夹伤腿部"),
  ("儿童蹦床", "医院监测点接诊多名蹦床夹伤儿童，弹簧无防护"))
s("elderly_products", False,
  ("老年鞋", "老人鞋鞋底防滑系数低于宣传"),
  ("老人鞋", "评论称老人鞋雨天易打滑"))
s("elderly_products", True,
  ("Walking frame", "The walking frame folded unexpectedly and an elderly user fell and broke a wrist"))
s("household_appliances", True,
  ("电动牙刷", "电动牙刷充电座进水短路冒烟"),
  ("电动牙刷", "多位用户反映电动牙刷充电底座冒烟、有焦味"))
s("household_appliances", False,
  ("吸尘器", "吸尘器吸力与宣传不符"),
  ("手持吸尘器", "电商差评：吸尘器吸力衰减快"))
s("household_appliances", True,
  ("暖手宝", "电热暖手宝充电时爆裂，热水溅出烫伤用户"),
  ("电暖宝", "暖手宝充电中炸裂，使用者手部烫伤"))
s("household_appliances", False,
  ("Rice cooker", "Rice cooker keeps warm unevenly and the inner pot coating peels"))
s("household_appliances", True,
  ("Electric blanket", "Electric blanket wiring overheated and scorched the bed, nearly starting a fire"),
  ("电热毯", "电热毯线路过热，烧焦床垫，险些起火"))
s("household_appliances", False,
  ("电饭煲", "电饭煲能效等级虚标"))
s("furniture_home", False,
  ("儿童床", "儿童床板材有刺激性气味，甲醛释放量偏高"),
  ("儿童床", "家长反映新买儿童床异味大，送检甲醛超标"))
s("furniture_home", True,
  ("升降桌", "电动升降桌下降时无防夹功能，夹伤儿童手指"))
s("furniture_home", False,
  ("Sofa", "Sofa frame squeaks and cushions flatten within weeks"),
  ("Sofa", "Reviews say the sofa cushions go flat and the frame squeaks"))
s("smart_home", True,
  ("智能插座", "智能插座继电器粘连无法断电，引发电器持续工作起火"))
s("smart_home", False,
  ("智能门锁", "智能门锁电池续航远低于宣传"),
  ("智能锁", "智能门锁耗电快，三周就要换电池"))
s("food_machinery", True,
  ("Meat grinder", "A worker's fingers were caught in a meat grinder without a guard"))
s("food_machinery", False,
  ("豆浆机", "豆浆机溢出，底座积水"),
  ("豆浆机", "用户投诉豆浆机煮浆时溢出"))
s("disposable_food_containers", False,
  ("一次性餐盒", "一次性餐盒使用回收料，有异味"),
  ("餐盒", "外卖平台评论：餐盒有刺鼻塑料味"))
s("food_paper_packaging", False,
  ("纸吸管", "纸吸管泡水后软化分层"),
  ("纸质吸管", "纸吸管遇饮料很快变软"))
s("food_contact_materials", False,
  ("保温杯", "不锈钢保温杯锰迁移量超标"),
  ("保温杯", "抽检保温杯内胆材质不符，锰迁移超标"),
  ("Vacuum flask", "Vacuum flasks fail the manganese migration test"))
s("food_contact_materials", False,
  ("菜板", "竹木菜板霉变，检出霉菌"))
s("refined_oil", False,
  ("柴油", "非法流动加油车销售劣质柴油"),
  ("柴油", "监测发现流动加油车售卖不合格柴油"))
s("wires_cables", True,
  ("Phone charger cable", "A phone charging cable's insulation split and the user got an electric shock"),
  ("充电线", "手机充电线绝缘层破裂，用户触电"))
s("wires_cables", False,
  ("电线", "电线电缆产品无CCC认证标志"))
s("hazardous_chemicals", False,
  ("Gas cylinder", "Gas cylinders past their inspection date found at a market"),
  ("液化气钢瓶", "农贸市场发现超期未检液化气钢瓶"))
s("hazardous_chemicals", True,
  ("消毒液", "含氯消毒液与洁厕剂混用产生氯气，一家三口中毒送医"), casualties=(0, 3))
s("masks", False,
  ("儿童口罩", "儿童口罩细菌过滤效率未标注"),
  ("儿童口罩", "评论反映儿童口罩包装无过滤效率信息"))
s("fire_doors", False,
  ("防火门", "防火门锁具不合格，门扇变形"))
s("school_uniforms", False,
  ("校服", "校服甲醛含量超标"),
  ("校服", "家长送检校服甲醛含量不合格"))
s("plastic_shopping_bags", False,
  ("塑料袋", "连卷袋厚度不足，违规使用"))
s("air_purifiers", False,
  ("空气净化器", "空气净化器噪音过大，夜间无法使用"),
  ("净化器", "差评集中反映净化器睡眠模式噪声大"))
s("indoor_purification", False,
  ("空气净化剂", "室内空气净化剂使用后有刺激性气味"))
s("chemical_building_materials", False,
  ("防水卷材", "防水卷材厚度不足，不透水性不合格"))
s("lubricating_oil", False,
  ("机油", "假冒品牌机油在汽配城销售"),
  ("机油", "汽配市场发现假冒知名品牌机油"))
s("electromechanical", True,
  ("电动自行车充电器", "电动自行车充电器过热起火，烧毁车棚"),
  ("电瓶车充电器", "车棚内电瓶车充电器起火，多辆车被烧毁"))
s("electromechanical", False,
  ("电梯", "电梯年检标志过期"),
  ("电梯", "小区电梯检验合格证超期未更新"))
s("electromechanical", False,
  ("Electric motor", "Motor windings overheat at rated load in the type test"))
s(None, False, ("行李箱", "行李箱拉杆易断"), ("拉杆箱", "旅行箱拉杆使用几次就断了"))
s(None, False, ("Umbrella", "Umbrella ribs break in light wind"))
s(None, False, ("化妆镜", "化妆镜灯光闪烁"))

# The second half: extra single reports per category, each its own risk.
EXTRA = [
  ("children_products", False, "儿童雨靴", "儿童雨靴鞋底防滑性能差"),
  ("children_products", False, "Baby stroller", "Stroller canopy fabric fades quickly in the sun"),
  ("children_products", True, "儿童秋千", "儿童秋千吊绳断裂，儿童摔落受伤"),
  ("children_products", False, "蜡笔", "儿童蜡笔包装未标注适用年龄"),
  ("children_products", True, "儿童水杯", "儿童水杯吸管配件易脱落，存在幼儿误吞窒息风险"),
  ("elderly_products", False, "老花镜", "老人老花镜度数与标注不一致"),
  ("elderly_products", True, "老年电动代步车", "老年代步车刹车失灵撞伤行人"),
  ("household_appliances", False, "电风扇", "电风扇网罩间距偏大，标识不全"),
  ("household_appliances", False, "Microwave oven", "Microwave turntable motor fails within months"),
  ("household_appliances", True, "电热水器", "电热水器接地不良，洗澡时漏电致人触电"),
  ("household_appliances", False, "电饭锅", "电饭煲保温功能失效"),
  ("household_appliances", True, "Space heater", "The heater's tip-over switch failed and it set curtains on fire"),
  ("furniture_home", False, "衣柜", "衣柜板材甲醛释放量超标"),
  ("furniture_home", False, "瓷砖", "瓷砖吸水率超标，尺寸偏差大"),
  ("furniture_home", False, "Mattress", "Mattress springs poke through the fabric after a year"),
  ("smart_home", False, "智能摄像头", "智能家居摄像头默认密码未强制修改，存在隐私泄露"),
  ("smart_home", False, "Robot vacuum", "Robot vacuum app leaks the home map to third parties"),
  ("food_machinery", False, "榨汁机", "榨汁机杯体有裂纹，漏液"),
  ("food_contact_materials", False, "硅胶餐具", "硅胶餐具挥发性物质超标"),
  ("food_contact_materials", False, "Cookware", "Cookware handle loosens after repeated heating"),
  ("disposable_food_containers", False, "打包盒", "打包盒盒盖扣合不严，运输中洒漏"),
  ("food_paper_packaging", False, "食品包装纸", "食品包装纸油墨迁移，检出苯系物"),
  ("refined_oil", False, "Petrol", "Petrol octane rating below the labelled 95 at a station"),
  ("wires_cables", False, "Cable", "Network cable conductors are copper-clad aluminium, not copper"),
  ("hazardous_chemicals", False, "危化品", "危化品仓储容器未定期检验"),
  ("masks", False, "Respirator", "Respirators sold without the standard number on the package"),
  ("school_uniforms", False, "校服", "校服反光条缺失，不符合标准要求"),
  ("plastic_shopping_bags", False, "购物袋", "商场购物袋未标注回收标志"),
  ("air_purifiers", False, "空气净化器", "空气净化器滤网更换提示失灵"),
  ("lubricating_oil", False, "Lubricant", "Industrial lubricant viscosity below specification"),
  ("electromechanical", False, "电机", "电机铭牌功率虚标，温升过高"),
  ("electromechanical", True, "Electric bicycle", "An electric bicycle's brakes failed downhill and the rider was injured"),
  ("fire_doors", False, "防火门", "防火门门框填充材料不符合要求"),
  ("ic_card_readers", False, "IC卡", "IC卡水表读写模块防护等级不足"),
  ("chemical_building_materials", False, "PVC管", "PVC排水管环刚度不合格"),
  ("indoor_purification", False, "除甲醛", "室内净化服务商使用的除甲醛药剂无成分说明"),
  ("children_products", False, "儿童牙刷", "儿童牙刷刷毛易脱落，磨圆度不合格"),
  ("children_products", True, "Toy magnets", "High-powered magnets in a toy set; a toddler swallowed two and needed surgery"),
  ("children_products", False, "儿童雨衣", "儿童雨衣反光条缺失"),
  ("children_products", False, "School backpack", "School backpack zip breaks after a term"),
  ("elderly_products", False, "护理床", "护理床电机噪声大"),
  ("elderly_products", False, "Hearing aid", "Hearing aid battery cover cracks easily"),
  ("household_appliances", False, "空调", "空调外机支架锈蚀"),
  ("household_appliances", True, "电压力锅", "电压力锅排气阀堵塞，锅盖冲开烫伤用户"),
  ("household_appliances", False, "Hair dryer", "Hair dryer cord too short and the plug lacks a mark"),
  ("household_appliances", False, "洗衣机", "洗衣机进水阀漏水"),
  ("household_appliances", True, "充电宝", "航班上乘客充电宝冒烟起火，机组人员扑灭"),
  ("furniture_home", False, "橱柜", "橱柜门板封边开胶"),
  ("furniture_home", False, "地板", "强化地板耐磨转数不达标"),
  ("furniture_home", True, "Bunk bed", "Bunk bed guardrail gap can trap a child's head, an entrapment and strangulation hazard"),
  ("smart_home", False, "智能音箱", "智能音箱唤醒率低，误唤醒频繁"),
  ("smart_home", False, "智能插座", "智能插座APP无法配网"),
  ("food_machinery", False, "绞肉机", "绞肉机刀片锈蚀"),
  ("food_contact_materials", False, "不锈钢餐具", "不锈钢餐具材质标识不符，实为201不锈钢"),
  ("food_contact_materials", False, "Tableware", "Melamine tableware releases formaldehyde above the limit"),
  ("disposable_food_containers", False, "一次性餐盒", "一次性餐盒标注可微波加热但实测变形"),
  ("food_paper_packaging", False, "纸杯", "纸杯杯身挺度不足，装热水易变形"),
  ("refined_oil", False, "汽油", "汽油蒸气压超标"),
  ("wires_cables", False, "插线板", "插线板无儿童保护门，标识不全"),
  ("wires_cables", True, "电线", "老旧小区私拉电线短路起火"),
  ("explosion_proof_electrical", False, "Explosion-proof motor", "Explosion-proof motor certificate expired"),
  ("hazardous_chemicals", False, "危险化学品", "危险化学品运输车辆标志缺失"),
  ("masks", False, "口罩", "口罩包装标注执行标准错误"),
  ("masks", False, "Mask", "Masks for children sold in adult sizes only"),
  ("ic_card_readers", False, "读卡器", "读卡器外壳防护等级不足，雨天故障"),
  ("fire_doors", False, "Fire door", "Fire door closer missing, door stays open"),
  ("school_uniforms", False, "School uniform", "School uniform colour fastness to rubbing fails"),
  ("plastic_shopping_bags", False, "Plastic bag", "Ultra-thin plastic bags handed out at a wet market"),
  ("air_purifiers", False, "Air purifier", "Air purifier filter replacement costs not disclosed"),
  ("indoor_purification", False, "Indoor purification", "Indoor purification service used unregistered chemicals"),
  ("chemical_building_materials", False, "PVC pipe", "PVC pipe wall thickness below standard"),
  ("lubricating_oil", False, "润滑油", "润滑油包装无生产许可证编号"),
  ("electromechanical", False, "电动工具", "电动工具电池包无过充保护标识"),
  ("electromechanical", True, "电动自行车", "电动自行车电池被改装扩容，充电时爆燃，一人烧伤"),
  (None, False, "手表", "手表防水性能与宣传不符"),
  (None, True, "按摩椅", "按摩椅夹住儿童手臂，造成骨折"),
]

def main():
    out = []
    day = 0
    for n, (cat, imp, tellings, casualties) in enumerate(S):
        group = f"g{n:03d}" if len(tellings) > 1 else None
        base = [D[n % len(D)]]
        if n % 5 == 0:
            base.append(D[(n + 3) % len(D)])
        for k, (product, content) in enumerate(tellings):
            districts = base if k % 2 == 0 else [base[0]]
            record = {
                "id": f"r{len(out) + 1:03d}",
                "lang": "en" if product.isascii() else "zh",
                "kind": "routine",
                "product": product,
                "content": content,
                "districts": districts,
                "day": day + k,
                "label": {"category": cat, "important": imp, "group": group},
            }
            if casualties:
                record["casualties"] = {"deaths": casualties[0], "injuries": casualties[1]}
            out.append(record)
        day += 1
    for n, (cat, imp, product, content) in enumerate(EXTRA):
        out.append({
            "id": f"r{len(out) + 1:03d}",
            "lang": "en" if product.isascii() else "zh",
            "kind": "routine",
            "product": product,
            "content": content,
            "districts": [D[(n * 7) % len(D)]],
            "day": (n * 3) % 40,
            "label": {"category": cat, "important": imp, "group": None},
        })
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reports.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for record in out:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    groups = {r["label"]["group"] for r in out if r["label"]["group"]}
    print(len(out), "reports,", len(groups), "duplicate groups,",
          sum(r["lang"] == "en" for r in out), "in English,",
          sum(r["label"]["important"] for r in out), "important")

main()
